import type { Job, JobSummary } from '../../client/api-client.ts';
import { formatDuration } from '../../client/duration.ts';
import { describeEta } from '../../client/eta-text.ts';
import { failureLines } from '../../contract/failure-text.ts';
import { describeProgress } from '../../contract/progress-text.ts';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** One line per job, the same columns `list` shows, so `status` and `list` read alike. */
export function jobLine(job: JobSummary): string {
  const when = job.finished ?? job.started ?? job.created;
  const position = job.queue_position === null ? '' : ` #${job.queue_position}`;
  return `${job.id}  ${job.status}${position}  ${job.name}  ${job.type}/${job.arch}  ${job.queue}  ${job.owner}  ${when}`;
}

export function describeJob(job: Job, absolute: (path: string) => string): string {
  const lines = [jobLine(job)];
  if (job.error) {
    const [first, ...details] = failureLines(job.error);
    lines.push(`  error: ${first}`, ...details.map((line) => `  ${line}`));
  }
  if (job.retry_of) lines.push(`  retry: of job ${job.retry_of}`);
  if (job.reused_from)
    lines.push(`  reuse: the files of job ${job.reused_from}, an identical build (not built again)`);
  if (job.build_key) lines.push(`  key:   ${job.build_key}${job.fresh ? ' (fresh build asked for)' : ''}`);
  if (job.blocked) lines.push(`  waits: ${job.blocked.message}`);
  if (job.eta)
    lines.push(
      `  eta:   ${describeEta(job.eta, Date.now())} (typical build ${formatDuration(job.eta.build_seconds)})`,
    );
  if (job.status === 'BUILDING' && job.progress) {
    const elapsed =
      job.started === null ? '' : `, ${formatDuration((Date.now() - Date.parse(job.started)) / 1000)} so far`;
    lines.push(`  step:  ${describeProgress(job.progress)}${elapsed}`);
  }
  if (job.status === 'DONE') {
    lines.push(`  image: ${absolute(job.links.image)}`);
    for (const artifact of job.artifacts) lines.push(`  file:  ${artifact.name} (${artifact.size} bytes)`);
  }
  const errorLine = job.error?.details.log_line?.number;
  lines.push(
    `  log:   ${absolute(job.links.log)}${errorLine === undefined ? '' : ` (the error: line ${errorLine})`}`,
  );
  return lines.join('\n');
}

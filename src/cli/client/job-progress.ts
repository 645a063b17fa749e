import type { ApiClient, Job } from '../../client/api-client.ts';
import { EXIT, UserError } from '../exit-codes.ts';
import type { ClientFlags } from './connect.ts';
import { describeJob, printJson } from './output.ts';
import { progressView } from './progress-bar.ts';

export function exitCodeOf(job: Pick<Job, 'status'>): number {
  if (job.status === 'DONE') return EXIT.ok;
  return job.status === 'CANCELLED' ? EXIT.cancelled : EXIT.invalid;
}

/**
 * Waits, showing the job's state, step and reason to wait on stderr (a bar on a terminal); the final job goes to
 * stdout.
 */
export async function waitAndReport(
  client: ApiClient,
  id: string,
  flags: ClientFlags,
  intervalMs = 2000,
): Promise<Job> {
  if (!Number.isFinite(intervalMs) || intervalMs <= 0)
    throw new UserError('--interval expects a positive number of seconds', EXIT.usage);
  const view = flags.json ? null : progressView(process.stderr);
  const job = await client
    .waitFor(id, { intervalMs, onChange: (changed) => view?.show(changed) })
    .finally(() => view?.stop());
  if (flags.json) printJson(job);
  else process.stdout.write(`${describeJob(job, (path) => client.url(path))}\n`);
  return job;
}

/** The log as it grows; the final status goes to stderr, so stdout is the log alone. */
export async function followLog(client: ApiClient, id: string): Promise<string> {
  let status = 'REMOVED';
  for await (const event of client.followLog(id)) {
    if (event.type === 'log') process.stdout.write(event.text);
    else status = event.status;
  }
  process.stderr.write(`${id}: ${status}\n`);
  return status;
}

import type { JobSummary } from '../../client/api-client.ts';
import { describeEta } from '../../client/eta-text.ts';

/**
 * The status as the original wrote it, with the place in the queue while the job waits; `positionIn` names the
 * queue, where jobs of several queues are listed together and each counts in its own.
 */
export function StatusBadge({ job, positionIn }: { job: JobSummary; positionIn?: string | undefined }) {
  const slug = job.status.toLowerCase().replace(/\s+/g, '-');
  return (
    <span
      className={`status status-${slug}`}
      title={
        job.error
          ? `${job.error.class}: ${job.error.message}`
          : job.eta
            ? `estimate: ${describeEta(job.eta, Date.now())}`
            : undefined
      }
    >
      {job.status}
      {job.queue_position !== null &&
        ` · #${job.queue_position}${positionIn === undefined ? '' : ` in ${positionIn}`}`}
      {job.cancel_requested && job.status === 'BUILDING' && ' · cancelling'}
    </span>
  );
}

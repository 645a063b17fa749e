import { isFinished, type Job } from '../../../client/api-client.ts';
import { api } from '../../app/api.ts';
import { useJobLog } from '../../app/use-job-log.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { LogView } from '../../components/LogView.tsx';

const STATE_TEXT = {
  loading: 'Loading the log…',
  following: 'Following the build live…',
  complete: 'The complete log.',
  // A job in the queue has no build to follow yet; its log shows here live once one starts.
  waiting: 'Waiting for a build slot; the log follows here live once the build starts.',
};

/** `markedLine`: a line to scroll to and mark, e.g. the first error the failure names. */
export function JobLogSection({ job, markedLine }: { job: Job; markedLine?: number | undefined }) {
  const log = useJobLog(job.id, !isFinished(job.status));
  return (
    <section className="panel" id="log" aria-labelledby="job-log">
      <h2 id="job-log">Log</h2>
      <p className="hint" aria-live="polite">
        <span data-log-state={log.state}>
          {STATE_TEXT[job.status === 'IN QUEUE' && log.state === 'following' ? 'waiting' : log.state]}
        </span>{' '}
        <a href={api.url(job.links.log)} target="_blank" rel="noreferrer">
          Plain text
        </a>
      </p>
      <ErrorNotice error={log.error} />
      <LogView
        lines={log.lines}
        version={log.version}
        label={`Build log of ${job.name}`}
        markedLine={markedLine}
        emptyText={log.state === 'complete' ? 'The log is empty.' : 'The log starts when the build does.'}
      />
    </section>
  );
}

import type { Failure } from '../../../client/api-client.ts';
import { failureClasses } from '../../../contract/failure.ts';
import { ownerText } from '../../../contract/failure-text.ts';
import { href } from '../../app/router.tsx';

/**
 * A log line of the job's page: its log view scrolls to it and marks it (JobPage, LogView). The page's path is
 * spelt out, as a bare `#…` resolves against the `<base href>`, the app's root.
 */
function logLineHref(jobId: string, line: number): string {
  return `${href(`job/${jobId}`)}#log-L${line}`;
}

/** Why a job failed, in the terms a user can act on: what, whose to fix, where, the details, the log line. */
export function FailureBox({ jobId, failure }: { jobId: string; failure: Failure }) {
  const { details } = failure;
  const logLine = details.log_line;
  return (
    <section className="notice error failure" role="status" aria-label="Why the job failed">
      <p>
        <strong data-failure-class={failure.class}>{failure.class}</strong>: {failure.message}
      </p>
      <dl>
        <dt>What happened</dt>
        <dd>{failureClasses[failure.class].title}</dd>
        <dt>Whose to fix</dt>
        <dd data-failure-owner={failure.owner}>{ownerText(failure)}</dd>
        {failure.step !== null && (
          <>
            <dt>Step</dt>
            <dd>{failure.step}</dd>
          </>
        )}
        {details.packages && (
          <>
            <dt>Missing packages</dt>
            <dd>{details.packages.join(', ')}</dd>
          </>
        )}
        {details.sources && (
          <>
            <dt>Sources searched</dt>
            <dd>
              <ul>
                {details.sources.map((source) => (
                  <li key={source}>
                    <code>{source}</code>
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {details.script && (
          <>
            <dt>Script</dt>
            <dd>
              %{details.script.kind} #{details.script.number},{' '}
              {details.script.exit_code === null
                ? 'killed by a signal'
                : `exit code ${details.script.exit_code}`}
            </dd>
          </>
        )}
        {details.repository && (
          <>
            <dt>Repository</dt>
            <dd>
              <code>{details.repository.url}</code>: {details.repository.problem}
            </dd>
          </>
        )}
        {details.limit_s !== undefined && (
          <>
            <dt>Time limit</dt>
            <dd>{details.limit_s} s</dd>
          </>
        )}
        {logLine && (
          <>
            <dt>First error</dt>
            <dd>
              {logLine.number !== undefined && (
                <>
                  <a href={logLineHref(jobId, logLine.number)}>log line {logLine.number}</a>:{' '}
                </>
              )}
              <code>{logLine.text}</code>
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

import type { ReactNode } from 'react';
import type { Failure } from '../../../client/api-client.ts';
import { failureTitle } from '../../../contract/failure-classes.ts';
import { ownerText } from '../../../contract/failure-text.ts';
import { href } from '../../app/router.tsx';
import { jobPath } from '../../app/routes.ts';

/**
 * A log line of the job's page: its log view scrolls to it and marks it (JobPage, LogView). The page's path is
 * spelt out, as a bare `#…` resolves against the `<base href>`, the app's root.
 */
function logLineHref(jobId: string, line: number): string {
  return `${href(jobPath(jobId))}#log-L${line}`;
}

/** One row of the box; the box leaves out the rows a failure has nothing for. */
function Entry({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
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
        <dd>{failureTitle(failure.class)}</dd>
        <dt>Whose to fix</dt>
        <dd data-failure-owner={failure.owner}>{ownerText(failure)}</dd>
        {failure.step !== null && <Entry term="Step">{failure.step}</Entry>}
        {details.packages && <Entry term="Missing packages">{details.packages.join(', ')}</Entry>}
        {details.sources && (
          <Entry term="Sources searched">
            <ul>
              {details.sources.map((source) => (
                <li key={source}>
                  <code>{source}</code>
                </li>
              ))}
            </ul>
          </Entry>
        )}
        {details.script && (
          <Entry term="Script">
            %{details.script.kind} #{details.script.number},{' '}
            {details.script.exit_code === null
              ? 'killed by a signal'
              : `exit code ${details.script.exit_code}`}
          </Entry>
        )}
        {details.repository && (
          <Entry term="Repository">
            <code>{details.repository.url}</code>: {details.repository.problem}
          </Entry>
        )}
        {details.limit_s !== undefined && <Entry term="Time limit">{details.limit_s} s</Entry>}
        {logLine && (
          <Entry term="First error">
            {logLine.number !== undefined && (
              <>
                <a href={logLineHref(jobId, logLine.number)}>log line {logLine.number}</a>:{' '}
              </>
            )}
            <code>{logLine.text}</code>
          </Entry>
        )}
      </dl>
    </section>
  );
}

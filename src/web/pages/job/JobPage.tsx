import { useEffect, useRef, useSyncExternalStore } from 'react';
import { isFinished } from '../../../client/api-client.ts';
import { describeEta } from '../../../client/eta-text.ts';
import { api } from '../../app/api.ts';
import { SAFETY_POLL_MS, useJobChanges } from '../../app/job-changes.ts';
import { mayChange, useUser } from '../../app/session.ts';
import { useNow } from '../../app/use-now.ts';
import { useResource } from '../../app/use-resource.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import { ResultPanel } from '../../components/ResultPanel.tsx';
import { StageBar } from '../../components/StageBar.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { FailureBox } from './FailureBox.tsx';
import { FileList } from './FileList.tsx';
import { JobActions } from './JobActions.tsx';
import { JobFields } from './JobFields.tsx';
import { JobLogSection } from './JobLogSection.tsx';
import { KickstartText } from './KickstartText.tsx';
import { SharePanel } from './SharePanel.tsx';
import { TagEditor } from './TagEditor.tsx';

export function JobPage({ id }: { id: string }) {
  const user = useUser();
  const {
    data: job,
    error,
    reload,
  } = useResource(() => api.get(id), id, {
    pollMs: SAFETY_POLL_MS,
    pollWhile: (current) => !isFinished(current.status),
  });
  useJobChanges((changes) => {
    // A waiting job's place in line moves whenever a job of its queue starts or leaves.
    const touches = changes?.some(
      (change) => change.id === id || (job?.status === 'IN QUEUE' && change.queue === job.queue),
    );
    if (changes === null || touches) reload();
  });
  const done = job?.status === 'DONE';
  // Asked for once the job is DONE: its files and kickstart no longer change.
  const result = useResource(() => (done ? api.result(id) : Promise.resolve(null)), `${id}/${done}`);
  useScrollToHash(job !== undefined);
  const now = useNow(job !== undefined && !isFinished(job.status));
  const markedLine = useMarkedLogLine();

  if (!job) {
    return (
      <>
        <PageTitle title={`Job ${id}`}>Job {id}</PageTitle>
        {error ? <ErrorNotice error={error} /> : <p>Loading…</p>}
      </>
    );
  }
  const finished = isFinished(job.status);
  return (
    <>
      <PageTitle title={`${job.name} (job)`}>
        {job.name} <StatusBadge job={job} />
      </PageTitle>
      <ErrorNotice error={error ?? result.error} />
      {result.data?.image && <ResultPanel result={result.data} imageUrl={api.url(job.links.image)} />}
      {job.error && <FailureBox jobId={job.id} failure={job.error} />}
      {job.status === 'IN QUEUE' && (
        <div className={`notice ${job.blocked ? 'warning' : 'info'}`} role="status">
          <p>
            Waiting in queue {job.queue}
            {job.queue_position !== null && `, number ${job.queue_position} in line`}.
          </p>
          {job.blocked && (
            <p className="blocked" data-reason={job.blocked.reason}>
              It cannot start now: {job.blocked.message}.
            </p>
          )}
          {job.eta && <p className="eta">Estimate: {describeEta(job.eta, now)}.</p>}
        </div>
      )}
      {job.status === 'BUILDING' && (
        <section className="panel" aria-labelledby="job-progress">
          <h2 id="job-progress">Progress</h2>
          {job.progress ? (
            <StageBar progress={job.progress} started={job.started} now={now} />
          ) : (
            <p>Starting the build…</p>
          )}
          {job.eta && <p className="eta hint">Estimate: {describeEta(job.eta, now)}.</p>}
        </section>
      )}
      {mayChange(user, job) && (
        <section className="panel" aria-label="Actions">
          <JobActions job={job} onChanged={reload} />
          <TagEditor job={job} onChanged={reload} />
        </section>
      )}
      {done && mayChange(user, job) && <SharePanel job={job} />}
      <section className="panel" aria-labelledby="job-fields">
        <h2 id="job-fields">Details</h2>
        <JobFields job={job} now={now} />
      </section>
      <JobLogSection job={job} markedLine={markedLine} />
      <section className="panel" id="files" aria-labelledby="job-files">
        <h2 id="job-files">Files</h2>
        {finished ? <FileList job={job} /> : <p>The files appear when the build has finished.</p>}
      </section>
      <section className="panel" aria-labelledby="job-kickstart">
        <h2 id="job-kickstart">Kickstart</h2>
        <KickstartText summary="As submitted" text={job.kickstart} />
        {job.built_kickstart !== null && <KickstartText summary="As built" text={job.built_kickstart} />}
      </section>
    </>
  );
}

/** `job/ID#log` from the queue's Log link: the section exists only once the job is loaded. */
function useScrollToHash(ready: boolean) {
  const done = useRef(false);
  useEffect(() => {
    if (!ready || done.current || location.hash === '') return;
    done.current = true;
    document.getElementById(location.hash.slice(1))?.scrollIntoView();
  }, [ready]);
}

function subscribeToHash(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The log line `#log-LN` names, now and whenever the error box's link changes the hash. */
function useMarkedLogLine(): number | undefined {
  const match = /^#log-L(\d+)$/.exec(useSyncExternalStore(subscribeToHash, () => location.hash));
  return match ? Number(match[1]) : undefined;
}

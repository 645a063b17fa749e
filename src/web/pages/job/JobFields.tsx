import type { ReactNode } from 'react';
import type { Job } from '../../../client/api-client.ts';
import { formatDate, jobLength } from '../../app/format.ts';
import { Link } from '../../app/router.tsx';
import { jobPath, queuePath } from '../../app/routes.ts';

function Field({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="field">
      <dt>{term}</dt>
      <dd>{children === null || children === '' ? '—' : children}</dd>
    </div>
  );
}

function MonoList({ items }: { items: readonly string[] }) {
  if (items.length === 0) return '—';
  return (
    <ul className="plain">
      {items.map((item) => (
        <li key={item} className="mono">
          {item}
        </li>
      ))}
    </ul>
  );
}

export function JobFields({ job, now }: { job: Job; now: number }) {
  const cancelling = job.cancel_requested && job.status === 'BUILDING';
  return (
    <dl className="fields">
      <Field term="ID">
        <span className="mono job-id">{job.id}</span>
      </Field>
      <Field term="Name">{job.name}</Field>
      <Field term="User">{job.owner}</Field>
      <Field term="Queue">
        <Link to={queuePath({ queue: job.queue, mine: false })}>{job.queue}</Link>
      </Field>
      <Field term="Type">{job.type}</Field>
      <Field term="Arch">{job.arch}</Field>
      <Field term="Status">{cancelling ? `${job.status} (cancelling)` : job.status}</Field>
      <Field term="Queue position">{job.queue_position}</Field>
      <Field term="Submitted">{formatDate(job.created)}</Field>
      <Field term="Started">{formatDate(job.started)}</Field>
      <Field term="Finished">{formatDate(job.finished)}</Field>
      <Field term="Length">{jobLength(job, now)}</Field>
      <Field term="Worker">{job.worker}</Field>
      <Field term="Attempt">{job.attempt}</Field>
      <Field term="Retry of">{job.retry_of && <Link to={jobPath(job.retry_of)}>{job.retry_of}</Link>}</Field>
      <Field term="Files of">
        {job.reused_from && (
          <>
            <Link to={jobPath(job.reused_from)}>{job.reused_from}</Link> (an identical build, shared, not
            built again)
          </>
        )}
      </Field>
      <Field term="Build key">
        {job.build_key && <span className="mono">{job.build_key}</span>}
        {job.fresh ? ' (fresh build asked for)' : ''}
      </Field>
      <Field term="Notify e-mail">{job.email}</Field>
      <Field term="Tags">{job.tags.join(', ')}</Field>
      <Field term="Pinned">{job.pinned ? 'yes' : 'no'}</Field>
      <Field term="Token map">{job.tokenmap && <span className="mono">{job.tokenmap}</span>}</Field>
      <Field term="Extra repositories">
        <MonoList items={job.extra_repos} />
      </Field>
      <Field term="Extra packages">
        <MonoList items={job.packages} />
      </Field>
    </dl>
  );
}

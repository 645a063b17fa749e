import type { JobSummary } from '../../client/api-client.ts';
import { api } from '../app/api.ts';
import { formatDate, jobLength } from '../app/format.ts';
import { Link } from '../app/router.tsx';
import { jobPath, queuePath } from '../app/routes.ts';
import { CompactStageBar } from './StageBar.tsx';
import { StatusBadge } from './StatusBadge.tsx';

interface JobTableProps {
  jobs: readonly JobSummary[];
  /** With a selection, each row gets a checkbox (the admin's bulk delete). */
  selection?: { selected: ReadonlySet<string>; toggle: (ids: readonly string[], on: boolean) => void };
}

/** The queue's columns, as in the original: ID / queue, Submitted, Length, User, Arch, Type, Status, Results. */
export function JobTable({ jobs, selection }: JobTableProps) {
  const now = Date.now();
  if (jobs.length === 0) return <p className="panel">No jobs match.</p>;
  const allSelected = selection !== undefined && jobs.every((job) => selection.selected.has(job.id));
  return (
    <div className="table-wrap">
      <table className="data cards">
        <thead>
          <tr>
            {selection && (
              <th>
                <input
                  type="checkbox"
                  aria-label="Select every job on this page"
                  checked={allSelected}
                  onChange={(event) =>
                    selection.toggle(
                      jobs.map((job) => job.id),
                      event.target.checked,
                    )
                  }
                />
              </th>
            )}
            <th>ID / queue</th>
            <th>Submitted</th>
            <th>Length</th>
            <th>User</th>
            <th>Arch</th>
            <th>Type</th>
            <th>Status</th>
            <th>Results</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.id} data-job-id={job.id}>
              {selection && (
                <td data-label="Select">
                  <input
                    type="checkbox"
                    aria-label={`Select ${job.name} (${job.id})`}
                    checked={selection.selected.has(job.id)}
                    onChange={(event) => selection.toggle([job.id], event.target.checked)}
                  />
                </td>
              )}
              <td data-label="ID / queue">
                <div>
                  <Link to={jobPath(job.id)}>{job.name}</Link>
                  <div className="hint mono job-id">{job.id}</div>
                  <Link className="hint" to={queuePath({ queue: job.queue, mine: false })}>
                    {job.queue}
                  </Link>
                  {job.tags.length > 0 && (
                    <div>
                      {job.tags.map((tag) => (
                        <span className="tag" key={tag}>
                          {tag}
                        </span>
                      ))}
                    </div>
                  )}
                </div>
              </td>
              <td data-label="Submitted">{formatDate(job.created)}</td>
              <td data-label="Length">{jobLength(job, now)}</td>
              <td data-label="User">{job.owner}</td>
              <td data-label="Arch">{job.arch}</td>
              <td data-label="Type">{job.type}</td>
              <td data-label="Status">
                <StatusBadge job={job} />
                {job.status === 'BUILDING' && job.progress && <CompactStageBar progress={job.progress} />}
                {job.blocked && <div className="hint blocked">{job.blocked.message}</div>}
              </td>
              <td data-label="Results" className="results">
                <div>
                  <Link to={`${jobPath(job.id)}#log`}>Log</Link>
                  <Link to={`${jobPath(job.id)}#files`}>Files</Link>
                  {job.status === 'DONE' && (
                    <a href={api.url(job.links.image)} download>
                      Image
                    </a>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

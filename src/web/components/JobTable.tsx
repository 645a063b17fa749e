import type { JobSummary } from '../../client/api-client.ts';
import type { JobFilterKey } from '../../contract/job-filters.ts';
import { api } from '../app/api.ts';
import { formatDate, jobLength } from '../app/format.ts';
import { Link } from '../app/router.tsx';
import { jobPath } from '../app/routes.ts';
import { CompactStageBar } from './StageBar.tsx';
import { StatusBadge } from './StatusBadge.tsx';

interface JobTableProps {
  jobs: readonly JobSummary[];
  /** The list narrowed to one more value (a tag, a user, an arch, a type): where a click on that value goes. */
  filterLink: (key: JobFilterKey, value: string) => string;
  /** Jobs of several queues: each waiting job's position is then said to be in its own queue. */
  severalQueues: boolean;
  /** With a selection, each row gets a checkbox (the admin's bulk delete). */
  selection?: { selected: ReadonlySet<string>; toggle: (ids: readonly string[], on: boolean) => void };
}

/**
 * The queue's columns, as in the original (Job / queue, Submitted, Length, User, Arch, Type, Status, Results), one
 * line a job so that a laptop screen shows about twenty; values a list can be narrowed by are links that do so.
 */
export function JobTable({ jobs, filterLink, severalQueues, selection }: JobTableProps) {
  const now = Date.now();
  if (jobs.length === 0) return <p className="panel">No jobs match.</p>;
  const allSelected = selection !== undefined && jobs.every((job) => selection.selected.has(job.id));
  const narrow = (key: JobFilterKey, value: string, label = value) => (
    <Link to={filterLink(key, value)} title={`Only jobs with ${key === 'owner' ? 'user' : key} ${value}`}>
      {label}
    </Link>
  );
  // Said once above the table rather than on each waiting row, which would make every row two lines tall.
  const blockers = [...new Set(jobs.flatMap((job) => (job.blocked ? [job.blocked.message] : [])))];
  return (
    <div className="table-wrap">
      {blockers.map((message) => (
        <p className="hint blocked" key={message}>
          Waiting jobs cannot start now: {message}
        </p>
      ))}
      <table className="data cards compact">
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
            <th>Job</th>
            <th>Queue</th>
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
              <td data-label="Job" className="job-name">
                <div>
                  <Link to={jobPath(job.id)} title={`job ${job.id}`}>
                    {job.name}
                  </Link>
                  {job.tags.map((tag) => (
                    <Link
                      className="tag"
                      key={tag}
                      to={filterLink('tag', tag)}
                      title={`Only jobs tagged ${tag}`}
                    >
                      {tag}
                    </Link>
                  ))}
                </div>
              </td>
              <td data-label="Queue">{narrow('queue', job.queue)}</td>
              <td data-label="Submitted">{formatDate(job.created)}</td>
              <td data-label="Length">{jobLength(job, now)}</td>
              <td data-label="User">{narrow('owner', job.owner)}</td>
              <td data-label="Arch">{narrow('arch', job.arch)}</td>
              <td data-label="Type">{narrow('type', job.type)}</td>
              <td data-label="Status">
                <div>
                  <StatusBadge job={job} positionIn={severalQueues ? job.queue : undefined} />
                  {job.status === 'BUILDING' && job.progress && <CompactStageBar progress={job.progress} />}
                </div>
              </td>
              <td data-label="Results" className="results">
                <div>
                  <JobResults job={job} />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Links to what the job has: a log once a build started, files once it ended, the image when DONE; a job that never
 * started has none.
 */
function JobResults({ job }: { job: JobSummary }) {
  if (job.started === null) return <span className="hint">none yet</span>;
  return (
    <>
      <Link to={`${jobPath(job.id)}#log`}>Log</Link>
      {job.finished !== null && <Link to={`${jobPath(job.id)}#files`}>Files</Link>}
      {job.status === 'DONE' && (
        <a href={api.url(job.links.image)} download>
          Image
        </a>
      )}
    </>
  );
}

import type { JobListQuery, JobPage, JobStatus } from '../../client/api-client.ts';
import { api } from './api.ts';
import { SAFETY_POLL_MS, useJobChanges } from './job-changes.ts';
import { useUser } from './session.ts';
import { type Resource, useResource } from './use-resource.ts';

export interface JobPageRequest {
  queue?: string | undefined;
  /** A user name, or `mine`. */
  owner?: string | undefined;
  status?: string | undefined;
  arch?: string | undefined;
  type?: string | undefined;
  text?: string | undefined;
  tag?: string | undefined;
  before?: string | undefined;
  offset?: number | undefined;
  limit: number;
}

/** The API's query for a page (or, without `limit`, a filter): empty fields left out; the server checks the rest. */
export function jobListQuery(request: Omit<JobPageRequest, 'limit'> & { limit?: number }): JobListQuery {
  const query: JobListQuery = {};
  for (const [key, value] of Object.entries(request)) {
    if (value !== undefined && value !== '') (query as Record<string, unknown>)[key] = value;
  }
  if (request.status) query.status = request.status as JobStatus;
  return query;
}

/** One page of jobs, newest first, read again whenever a job that may be on it changes. */
export function useJobPage(request: JobPageRequest): Resource<JobPage> {
  const user = useUser();
  const query = jobListQuery(request);
  const page = useResource(() => api.list(query), JSON.stringify(query), { pollMs: SAFETY_POLL_MS });
  // A job never changes queue or owner, so changes outside the page's queue and owner cannot touch it.
  const owner = query.owner === 'mine' ? user.username : query.owner;
  useJobChanges((changes) => {
    const touches = changes?.some(
      (change) =>
        (query.queue === undefined || change.queue === query.queue) &&
        (owner === undefined || change.owner === owner),
    );
    if (changes === null || touches) page.reload();
  });
  return page;
}

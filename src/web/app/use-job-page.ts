import type { JobListQuery, JobPage, JobStatus } from '../../client/api-client.ts';
import { api } from './api.ts';
import { type Resource, useResource } from './use-resource.ts';

/**
 * The API has no stream of job changes, so a list of jobs is asked for again this often (only while the tab is
 * visible): statuses and queue positions change on screen within seconds, without a reload.
 */
const JOB_LIST_POLL_MS = 3000;

export interface JobPageRequest {
  queue?: string | undefined;
  /** A user name, or `mine`. */
  owner?: string | undefined;
  status?: string | undefined;
  text?: string | undefined;
  tag?: string | undefined;
  before?: string | undefined;
  limit: number;
}

/** One page of jobs, newest first, kept fresh while it is on screen. */
export function useJobPage(request: JobPageRequest): Resource<JobPage> {
  const query: JobListQuery = {};
  for (const [key, value] of Object.entries(request)) {
    if (value !== undefined && value !== '') (query as Record<string, unknown>)[key] = value;
  }
  if (request.status) query.status = request.status as JobStatus;
  return useResource(() => api.list(query), JSON.stringify(query), { pollMs: JOB_LIST_POLL_MS });
}

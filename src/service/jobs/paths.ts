import type { Job } from './types.ts';

/** The build log's file name inside the job's folder. */
export function logFileName(job: Pick<Job, 'name'>): string {
  return `${job.name}.log`;
}

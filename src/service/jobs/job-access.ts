import { ServiceError } from '../errors.ts';
import type { JobReads } from './reads.ts';
import type { Actor, Job } from './types.ts';

/** The job, or `not-found` naming it: the one wording for every verb and route that takes a job id. */
export async function mustGetJob(jobs: Pick<JobReads, 'get'>, jobId: string): Promise<Job> {
  const job = await jobs.get(jobId);
  if (!job) throw new ServiceError('not-found', `no job ${jobId}`);
  return job;
}

/** Refuses `by` unless it owns the job or is an admin; `verb` says what was refused ("delete", "share"). */
export function mustOwnJob(job: Job, by: Actor, verb: string): void {
  if (job.owner !== by.username && !by.admin) {
    throw new ServiceError('forbidden', `only ${job.owner} or an admin may ${verb} job ${job.id}`);
  }
}

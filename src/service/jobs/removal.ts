import { BULK_DELETE_LIMIT } from '../../contract/list-limits.ts';
import { ServiceError } from '../errors.ts';
import type { ArtifactStore } from './artifact-store.ts';
import type { JobService } from './service.ts';
import type { Actor, Job, JobFilter } from './types.ts';

/** Deletes a job's row (refused as `remove` refuses) and then its files; answers the job as it was. */
export async function removeJobAndFiles(
  jobs: JobService,
  files: ArtifactStore,
  jobId: string,
  by: Actor,
): Promise<Job> {
  const job = await jobs.remove(jobId, by);
  await files.remove(job);
  return job;
}

export interface BulkRemoval {
  deleted: number;
  /** The first REFUSALS_KEPT refusals, each naming the job by its name as well as its id. */
  refused: { id: string; name: string; message: string }[];
  refusedCount: number;
  /** BULK_DELETE_LIMIT jobs were gone through and more match: a call again goes on. */
  more: boolean;
}

const BATCH = 200;
const REFUSALS_KEPT = 100;

/**
 * Every job matching the filter, up to BULK_DELETE_LIMIT of them, newest first, with its files; a job that may not
 * go (pinned, building, someone else's) is named in `refused` and kept. Errors other than refusals stop it.
 */
export async function removeMatchingJobs(
  jobs: JobService,
  files: ArtifactStore,
  filter: JobFilter,
  by: Actor,
): Promise<BulkRemoval> {
  const result: BulkRemoval = { deleted: 0, refused: [], refusedCount: 0, more: false };
  let seen = 0;
  // Refused jobs stay, so the walk goes on from the last job seen rather than from the top each time.
  let before: string | undefined;
  for (;;) {
    const limit = Math.min(BATCH, BULK_DELETE_LIMIT - seen);
    const page = await jobs.list(filter, { limit, ...(before === undefined ? {} : { before }) });
    for (const job of page.jobs) {
      try {
        await removeJobAndFiles(jobs, files, job.id, by);
        result.deleted++;
      } catch (error) {
        // Deleted meanwhile by someone else: it is gone, as asked.
        if (error instanceof ServiceError && error.code === 'not-found') continue;
        if (!(error instanceof ServiceError)) throw error;
        result.refusedCount++;
        if (result.refused.length < REFUSALS_KEPT)
          result.refused.push({ id: job.id, name: job.name, message: error.message });
      }
    }
    seen += page.jobs.length;
    if (page.next === null) return result;
    if (seen >= BULK_DELETE_LIMIT) return { ...result, more: true };
    before = page.next;
  }
}

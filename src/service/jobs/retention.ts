import type { ArtifactStore } from './artifact-store.ts';
import { removeJobAndFiles } from './removal.ts';
import type { JobService } from './service.ts';
import type { Actor } from './types.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 100;
const retention: Actor = { username: 'retention', admin: true };

/** Deletes finished, unpinned jobs older than `maxAgeDays` and their folders; answers how many went. */
export async function deleteExpiredJobs(
  jobs: JobService,
  files: ArtifactStore,
  maxAgeDays: number,
  now: Date = new Date(),
): Promise<number> {
  if (maxAgeDays <= 0) return 0;
  const before = new Date(now.getTime() - maxAgeDays * DAY_MS);
  let deleted = 0;
  for (
    let batch = await jobs.expired(before, BATCH);
    batch.length > 0;
    batch = await jobs.expired(before, BATCH)
  ) {
    for (const job of batch) {
      await removeJobAndFiles(jobs, files, job.id, retention);
      deleted++;
    }
  }
  return deleted;
}

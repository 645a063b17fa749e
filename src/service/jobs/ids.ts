import { randomBytes } from 'node:crypto';
import { incrementBase32, monotonicFactory, ulid } from 'ulid';

/**
 * Job ids are ULIDs: waiting jobs are claimed, listed and counted in the order of their ids, so an id must be
 * later than that of every job already stored, by any process. Within a process the monotonic factory sees to it;
 * across processes the caller passes the newest stored id (read just before it stores the new job), since two web
 * nodes or workers submitting in turn within a millisecond would otherwise order their jobs by chance. Two that
 * submit at the same time may still take either order, as they would with any clock.
 */
export type JobIds = (time: number, newest: string | null) => string;

/** Characters of a ULID kept from the newest id when a new one must follow it: its time and 40 random bits. */
const KEPT = 18;

export function createJobIds(): JobIds {
  const random = pooledRandom();
  const next = monotonicFactory(random);
  return (time, newest) => {
    const id = next(time);
    if (newest === null || id > newest) return id;
    // Right after the newest, with fresh random bits: two processes that both follow it still differ.
    return incrementBase32(newest.slice(0, KEPT)) + ulid(time, random).slice(KEPT);
  };
}

/**
 * Random numbers for ULIDs from a pool of random bytes: by itself the library asks the system for each of an
 * id's sixteen random characters, a tenth of a submission's time. A byte over 256 picks one of 32 characters
 * evenly.
 */
function pooledRandom(): () => number {
  let pool = randomBytes(0);
  let next = 0;
  return () => {
    if (next === pool.length) {
      pool = randomBytes(4096);
      next = 0;
    }
    return (pool[next++] ?? 0) / 256;
  };
}

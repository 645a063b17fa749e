import type { Kysely } from 'kysely';
import type { JobEta } from '../../contract/eta.ts';
import type { Database } from '../db/schema.ts';
import { type ActiveJob, estimate } from './eta.ts';
import type { WorkerOverview } from './workers.ts';

/** How many recent builds the typical durations come from: enough for a median per kind, recent enough to follow change. */
const RECENT_BUILDS = 200;

/**
 * Every waiting and building job's estimate, from the database's recent builds and backlog and the caller's
 * overview of the live workers (which it reads for the jobs' blockers too).
 */
export type Estimates = (live: WorkerOverview) => Promise<Map<string, JobEta>>;

export function createEstimates(db: Kysely<Database>, now: () => Date): Estimates {
  return async ({ workers, queues }) => {
    const recent = await db
      .selectFrom('jobs')
      .select(['queue', 'image_type', 'arch', 'started', 'finished'])
      .where('status', '=', 'DONE')
      .where('started', 'is not', null)
      .orderBy('finished', 'desc')
      .limit(RECENT_BUILDS)
      .execute();
    const active = await db
      .selectFrom('jobs')
      .select(['id', 'queue', 'image_type', 'arch', 'status', 'started'])
      .where('status', 'in', ['IN QUEUE', 'BUILDING'])
      .orderBy('id')
      .execute();
    const slots = new Map<string, number>();
    for (const queue of queues) {
      if (!queue.starts_builds) continue;
      const serving = workers.filter((worker) => queue.workers.includes(worker.id));
      slots.set(
        queue.name,
        serving.reduce((sum, worker) => sum + worker.slots, 0),
      );
    }
    return estimate({
      now: now().getTime(),
      samples: recent.map((row) => ({
        queue: row.queue,
        type: row.image_type,
        arch: row.arch,
        seconds: (Date.parse(row.finished ?? '') - Date.parse(row.started ?? '')) / 1000,
      })),
      jobs: active.map(
        (row): ActiveJob => ({
          id: row.id,
          queue: row.queue,
          type: row.image_type,
          arch: row.arch,
          status: row.status as ActiveJob['status'],
          started: row.started === null ? null : Date.parse(row.started),
        }),
      ),
      slots,
    });
  };
}

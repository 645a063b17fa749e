import type { Kysely } from 'kysely';
import type { JobEta } from '../../contract/eta.ts';
import type { Database } from '../db/schema.ts';
import { type ActiveJob, estimate } from './eta.ts';
import type { Serving } from './workers.ts';

/** How many recent builds the typical durations come from: enough for a median per kind, recent enough to follow change. */
const RECENT_BUILDS = 200;

/**
 * How far into each queue waiting jobs get an estimate. A request that shows a job pays for the jobs ahead of it
 * (read and placed on the slots), so an unbounded backlog made every GET and POST of /jobs as slow as the queue is
 * long (about a second at 100,000 waiting here); further back, an estimate means little anyway.
 */
export const ETA_HORIZON = 1000;

/**
 * Every building job's estimate, and those of the first `horizon` waiting jobs of each queue someone builds, from the database's recent builds and backlog and the caller's
 * view of the live workers (which it reads for the jobs' blockers too).
 */
export type Estimates = (live: Serving) => Promise<Map<string, JobEta>>;

export function createEstimates(db: Kysely<Database>, now: () => Date, horizon = ETA_HORIZON): Estimates {
  return async ({ workers, queues }) => {
    // Newest first by id (the primary key): no sort of every finished job, however many there are.
    const recent = await db
      .selectFrom('jobs')
      .select(['queue', 'image_type', 'arch', 'started', 'finished'])
      .where('status', '=', 'DONE')
      .where('started', 'is not', null)
      .orderBy('id', 'desc')
      .limit(RECENT_BUILDS)
      .execute();
    const columns = ['id', 'queue', 'image_type', 'arch', 'status', 'started'] as const;
    const building = await db.selectFrom('jobs').select(columns).where('status', '=', 'BUILDING').execute();
    const waiting = [];
    // Queues nobody builds get no estimate: their backlogs are not read.
    for (const queue of queues.filter((q) => q.starts_builds && q.workers.length > 0)) {
      waiting.push(
        ...(await db
          .selectFrom('jobs')
          .select(columns)
          .where('status', '=', 'IN QUEUE')
          .where('queue', '=', queue.name)
          .orderBy('id')
          .limit(horizon)
          .execute()),
      );
    }
    const active = [...building, ...waiting];
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

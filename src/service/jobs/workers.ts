import type { Kysely } from 'kysely';
import type { QueueState, WorkerInfo } from '../../contract/workers.ts';
import { type Placeholder, prepareQuery } from '../db/prepared.ts';
import type { Database, WorkersTable } from '../db/schema.ts';

/** What a worker says of itself at each beat. */
export type WorkerBeat = Omit<WorkerInfo, 'heartbeat'>;

/** A queue's settings and the live workers that serve it, without its counts of jobs. */
export type ServedQueue = Omit<QueueState, 'waiting' | 'building'>;

/** The live workers and who serves each queue: what a job's blocker and estimate need, from one read of each. */
export interface Serving {
  workers: WorkerInfo[];
  queues: ServedQueue[];
}

/** The live workers and every queue's state, counts included, for callers that need both. */
export interface WorkerOverview extends Serving {
  queues: QueueState[];
}

/**
 * The running workers, each row written by the worker's own beat, so any web node can say who serves a queue.
 * A worker that stops deletes its row; one that dies stops beating and drops out of the lists once it has been
 * silent for the heartbeat timeout, as its jobs do.
 */
export interface WorkerRegistry {
  beat(worker: WorkerBeat): Promise<void>;
  leave(workerId: string): Promise<void>;
  /** The workers heard from within `aliveWithinMs`, by id. A read: it writes nothing, so it never waits for a lock. */
  list(aliveWithinMs: number): Promise<WorkerInfo[]>;
  /** Every queue with its live workers and its waiting and building jobs. */
  queueStates(aliveWithinMs: number): Promise<QueueState[]>;
  /** `list` and `queueStates` together, the workers read once. */
  overview(aliveWithinMs: number): Promise<WorkerOverview>;
  /** `overview` without the counts of jobs: a statement less on the way of every submission and job shown. */
  serving(aliveWithinMs: number): Promise<Serving>;
}

/**
 * A row silent this long belongs to a worker that died without leaving: the next beat of any worker deletes it.
 * Lists filter by the heartbeat timeout anyway, so this only keeps the table small.
 */
const FORGET_AFTER_MS = 24 * 3600 * 1000;

export function createWorkerRegistry(db: Kysely<Database>, now: () => Date): WorkerRegistry {
  const cutoff = (ms: number) => new Date(now().getTime() - ms).toISOString();
  // A submission's answer reads the first two, a queue's state all three (see prepareQuery).
  const liveWorkers = prepareQuery((value: Placeholder<{ since: string }>) =>
    db.selectFrom('workers').selectAll().where('heartbeat', '>=', value('since')).orderBy('id'),
  );
  const allQueues = prepareQuery(() => db.selectFrom('queues').selectAll().orderBy('name'));
  // The counts the database's triggers keep (migration 0005), not a count of the backlog.
  const activeCounts = prepareQuery(() =>
    db
      .selectFrom('job_counts')
      .select(['queue', 'status', 'jobs'])
      .where('status', 'in', ['IN QUEUE', 'BUILDING']),
  );

  async function list(aliveWithinMs: number): Promise<WorkerInfo[]> {
    return (await liveWorkers.execute(db, { since: cutoff(aliveWithinMs) })).rows.map(workerFromRow);
  }

  async function serving(aliveWithinMs: number): Promise<Serving> {
    const workers = await list(aliveWithinMs);
    const queues = (await allQueues.execute(db, {})).rows;
    return {
      workers,
      queues: queues.map((queue) => ({
        name: queue.name,
        description: queue.description,
        starts_builds: queue.starts_builds === 1,
        workers: workers.filter((worker) => worker.queues.includes(queue.name)).map((worker) => worker.id),
      })),
    };
  }

  async function overview(aliveWithinMs: number): Promise<WorkerOverview> {
    const { workers, queues } = await serving(aliveWithinMs);
    const counts = (await activeCounts.execute(db, {})).rows;
    const count = (queue: string, status: string) =>
      Number(counts.find((row) => row.queue === queue && row.status === status)?.jobs ?? 0);
    return {
      workers,
      queues: queues.map((queue) => ({
        ...queue,
        waiting: count(queue.name, 'IN QUEUE'),
        building: count(queue.name, 'BUILDING'),
      })),
    };
  }

  return {
    async beat(worker) {
      const row: WorkersTable = {
        id: worker.id,
        host: worker.host,
        slots: worker.slots,
        busy: worker.busy,
        queues: JSON.stringify(worker.queues),
        version: worker.version,
        started: worker.started,
        heartbeat: now().toISOString(),
      };
      const { id: _id, ...changes } = row;
      await db
        .insertInto('workers')
        .values(row)
        .onConflict((conflict) => conflict.column('id').doUpdateSet(changes))
        .execute();
      await db.deleteFrom('workers').where('heartbeat', '<', cutoff(FORGET_AFTER_MS)).execute();
    },

    async leave(workerId) {
      await db.deleteFrom('workers').where('id', '=', workerId).execute();
    },

    list,

    async queueStates(aliveWithinMs) {
      return (await overview(aliveWithinMs)).queues;
    },

    overview,
    serving,
  };
}

/** Rows hold only what beats wrote, so the parse restores what was a checked list on the way in. */
function workerFromRow(row: WorkersTable): WorkerInfo {
  return { ...row, queues: JSON.parse(row.queues) as string[] };
}

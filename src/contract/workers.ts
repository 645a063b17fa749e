// The workers and what each queue can do with them, as the API, the pages and /metrics show them: defined once
// here, imported by the service and the clients alike.
import { type Static, Type } from '@sinclair/typebox';

export const WorkerSchema = Type.Object(
  {
    id: Type.String({ description: 'as jobs name their worker: host, process id and a random tag' }),
    host: Type.String(),
    slots: Type.Integer({ description: 'builds it runs at once' }),
    busy: Type.Integer({ description: 'builds it runs now' }),
    queues: Type.Array(Type.String(), { description: 'the queues it takes jobs from now' }),
    version: Type.String({ description: "IMG's version on that worker" }),
    started: Type.String({ format: 'date-time' }),
    heartbeat: Type.String({ format: 'date-time', description: 'its last sign of life' }),
  },
  { $id: 'Worker' },
);
export type WorkerInfo = Static<typeof WorkerSchema>;

export const QueueStateSchema = Type.Object(
  {
    name: Type.String(),
    description: Type.String(),
    starts_builds: Type.Boolean({ description: 'false: an admin switched its builds off; jobs wait' }),
    workers: Type.Array(Type.String(), { description: 'ids of the live workers that take its jobs' }),
    waiting: Type.Integer(),
    building: Type.Integer(),
  },
  { $id: 'QueueState' },
);
export type QueueState = Static<typeof QueueStateSchema>;

export const JobBlockerSchema = Type.Object(
  {
    reason: Type.Union([Type.Literal('builds-off'), Type.Literal('no-worker')]),
    message: Type.String(),
  },
  { $id: 'JobBlocker', description: 'why a waiting job cannot start now' },
);
export type JobBlocker = Static<typeof JobBlockerSchema>;

/** Why jobs of this queue cannot start now; null when a worker will take them in turn. */
export function queueBlocker(
  queue: Pick<QueueState, 'name' | 'starts_builds' | 'workers'>,
): JobBlocker | null {
  if (!queue.starts_builds) {
    return { reason: 'builds-off', message: `builds in queue ${queue.name} are switched off by an admin` };
  }
  if (queue.workers.length === 0) {
    return { reason: 'no-worker', message: `no worker serves queue ${queue.name}` };
  }
  return null;
}

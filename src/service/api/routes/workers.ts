import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { QueueStateSchema, WorkerSchema } from '../../../contract/workers.ts';
import type { AppDeps } from '../deps.ts';

const tags = ['workers'];

/** Who builds, and what each queue can do with them: why a job waits is answered from here. */
export async function workerRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const aliveWithinMs = deps.config.worker.heartbeat_timeout * 1000;
  app.get(
    '/workers',
    {
      schema: {
        tags,
        summary: 'the running workers',
        description:
          'Workers heard from within [worker] heartbeat_timeout; one that stopped is gone at once.',
        response: { 200: Type.Array(Type.Ref(WorkerSchema)) },
      },
    },
    () => deps.jobs.workers.list(aliveWithinMs),
  );

  app.get(
    '/queues/state',
    {
      schema: {
        tags,
        summary: 'each queue: builds on or off, the workers serving it, its waiting and building jobs',
        response: { 200: Type.Array(Type.Ref(QueueStateSchema)) },
      },
    },
    () => deps.jobs.workers.queueStates(aliveWithinMs),
  );
}

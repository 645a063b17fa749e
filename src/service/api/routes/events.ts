import { setMaxListeners } from 'node:events';
import type { FastifyInstance } from 'fastify';
import { JobChangeSchema } from '../../../contract/api.ts';
import { createJobChangeFeed } from '../../jobs/index.ts';
import { createChangeBroadcast } from '../change-stream.ts';
import type { AppDeps } from '../deps.ts';

/** The job change stream the queue and job pages follow instead of polling; one feed serves every client. */
export async function eventRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const changes = createChangeBroadcast(
    createJobChangeFeed(deps.jobs, {
      onError: (error) => app.log.error({ err: error }, 'reading job changes failed'),
    }),
  );
  const shutdown = new AbortController();
  // Every open stream listens for the shutdown.
  setMaxListeners(0, shutdown.signal);
  app.addHook('preClose', async () => shutdown.abort());

  app.get(
    '/events',
    {
      schema: {
        tags: ['jobs'],
        summary: 'every change of every job, as Server-Sent Events',
        description:
          'One `job` event per change (submitted, started, cancel requested, finished, requeued, tags or ' +
          'pin changed, deleted), its data a JobChange as JSON; comment lines keep a quiet stream open. ' +
          'Changes made by other server processes arrive within a second. Events have no ids: a client that ' +
          'reconnects may have missed some, so it reads the jobs it shows again.',
        response: {
          200: {
            description: 'a text/event-stream of `job` events',
            content: { 'text/event-stream': { schema: JobChangeSchema } },
          },
        },
      },
    },
    (_request, reply) => changes.stream(reply, shutdown.signal),
  );
}

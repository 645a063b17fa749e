import type { FastifyInstance } from 'fastify';
import { STATS_DEFAULT_DAYS, type Stats, StatsQuery, StatsSchema } from '../../../contract/stats.ts';
import { actorOf } from '../auth.ts';
import type { AppDeps } from '../deps.ts';

/** Stats at a glance: an admin's cover every job, anyone else's their own. */
export async function statsRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get<{ Querystring: StatsQuery }>(
    '/stats',
    {
      schema: {
        tags: ['stats'],
        summary: 'builds per day, success rate, build times, queue wait, failure classes, busiest queues',
        querystring: StatsQuery,
        response: { 200: StatsSchema },
      },
    },
    async (request): Promise<Stats> => {
      const actor = actorOf(request);
      // Its bounds are the schema's; a number beyond a double is refused before (finite-numbers.ts).
      const days = request.query.days ?? STATS_DEFAULT_DAYS;
      const stats = await deps.jobs.buildStats(actor.admin ? { days } : { days, owner: actor.username });
      return { scope: actor.admin ? 'all' : 'own', ...stats };
    },
  );
}

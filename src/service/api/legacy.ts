import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from './present.ts';

/** The original's page URLs that scripts and old links still use; the pages themselves come with the web UI. */
export function installLegacyRoutes(app: FastifyInstance, urlPrefix: string): void {
  const prefix = urlPrefix.replace(/^\/+|\/+$/g, '');
  app.get<{ Params: { id: string } }>(
    `${prefix === '' ? '' : `/${prefix}`}/images/:id`,
    { schema: { hide: true } },
    async (request, reply) =>
      reply.redirect(`${API_PREFIX}/jobs/${encodeURIComponent(request.params.id)}/image`),
  );
}

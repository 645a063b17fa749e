import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type SiteBody, SitePatch, SiteSchema } from '../../../contract/api.ts';
import type { Site } from '../../site/index.ts';
import { requireAdmin } from '../auth.ts';
import type { AppDeps } from '../deps.ts';

const tags = ['site'];

function presentSite(site: Site): SiteBody {
  return {
    name: site.name,
    base_url: site.baseUrl,
    base_url_from: site.baseUrlFrom,
    set: { name: site.set.name, base_url: site.set.baseUrl },
  };
}

/** The site's name and public base URL: anyone may read them (the login page shows the name), admins set them. */
export async function siteRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get(
    '/site',
    {
      config: { public: true },
      schema: {
        tags,
        summary: "the site's name and public base URL",
        response: { 200: Type.Ref(SiteSchema) },
      },
    },
    async () => presentSite(await deps.site.read()),
  );

  app.patch<{ Body: SitePatch }>(
    '/site',
    {
      schema: {
        tags,
        summary: 'admin: set (or with null, clear) the name and base URL; set here, they win over img.conf',
        body: SitePatch,
        response: { 200: Type.Ref(SiteSchema) },
      },
    },
    async (request) => {
      requireAdmin(request);
      const { name, base_url } = request.body;
      return presentSite(
        await deps.site.change({
          ...(name === undefined ? {} : { name }),
          ...(base_url === undefined ? {} : { baseUrl: base_url }),
        }),
      );
    },
  );
}

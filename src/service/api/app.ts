import fastifyMultipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import { sharedSchemas } from '../../contract/api.ts';
import { installSessions, requireLogin } from './auth.ts';
import type { AppDeps } from './deps.ts';
import { installErrorHandler } from './error-handler.ts';
import { installFiniteNumbers } from './finite-numbers.ts';
import { installLegacyRoutes } from './legacy.ts';
import { installMetrics } from './metrics.ts';
import { installOpenApi } from './openapi.ts';
import { API_PREFIX } from './present.ts';
import { requestLogOptions } from './request-log.ts';
import { adminRoutes } from './routes/admin.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { eventRoutes } from './routes/events.ts';
import { healthRoutes } from './routes/health.ts';
import { jobFileRoutes } from './routes/job-files.ts';
import { jobUploadRoutes } from './routes/job-uploads.ts';
import { jobRoutes } from './routes/jobs.ts';
import { kickstartRoutes } from './routes/kickstarts.ts';
import { loginRoutes } from './routes/login.ts';
import { shareRoutes } from './routes/shares.ts';
import { siteRoutes } from './routes/site.ts';
import { statsRoutes } from './routes/stats.ts';
import { workerRoutes } from './routes/workers.ts';
import { installSecurityHeaders } from './security-headers.ts';
import { installStrictJson } from './strict-text.ts';
import { installWebPages } from './web-pages.ts';

/** The whole HTTP side as one Fastify instance, not listening: the server listens, tests `inject`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { web } = deps.config;
  const app = Fastify({
    logger: requestLogOptions(deps.logger ?? false),
    routerOptions: { ignoreTrailingSlash: true },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array' } },
    // The client's address (the login limits' key) comes from X-Forwarded-For only behind the proxies named.
    trustProxy: web.trusted_proxies.length > 0 ? [...web.trusted_proxies] : false,
  });
  installErrorHandler(app);
  installSecurityHeaders(app);
  installStrictJson(app);
  installFiniteNumbers(app);
  for (const schema of sharedSchemas) app.addSchema(schema);
  await installOpenApi(app);
  await installSessions(app, deps.sessionKey);
  installMetrics(app, deps);
  installLegacyRoutes(app, web.url_prefix);
  await installWebPages(app, web.url_prefix);

  await app.register(
    async (api) => {
      await api.register(fastifyMultipart);
      requireLogin(api, deps.users);
      for (const routes of [
        healthRoutes,
        loginRoutes,
        jobRoutes,
        jobFileRoutes,
        jobUploadRoutes,
        shareRoutes,
        eventRoutes,
        catalogRoutes,
        kickstartRoutes,
        adminRoutes,
        siteRoutes,
        statsRoutes,
        workerRoutes,
      ]) {
        await api.register(routes, deps);
      }
    },
    { prefix: API_PREFIX },
  );
  return app;
}

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_PREFIX } from './present.ts';

/** Where `vite build` (src/web/vite.config.ts) writes the single-page app. */
export const webBuildDir = resolve(fileURLToPath(import.meta.url), '../../../../dist/web');

/**
 * The page only ever talks to the API of its own origin, so everything else can be refused; without a
 * `style-src` of its own, inline styles are refused too, so injected markup could not even restyle the page.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** `img` or `/img/` → `/img/`; empty → `/`. */
export function pagePrefix(urlPrefix: string): string {
  const segments = urlPrefix.split('/').filter((segment) => segment !== '');
  return `/${segments.map(encodeURIComponent).join('/')}${segments.length > 0 ? '/' : ''}`;
}

/**
 * The web pages under `/<url_prefix>/`: the built assets as they are, and index.html for every other path below
 * the prefix, so `/img/job/ID` loads the app, which routes by the URL. The page is built with relative asset
 * URLs; the `<base href>` written here makes them resolve under whatever prefix the server is configured with.
 */
export async function installWebPages(
  app: FastifyInstance,
  urlPrefix: string,
  dir = webBuildDir,
): Promise<void> {
  const prefix = pagePrefix(urlPrefix);
  if (prefix !== '/') app.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect(prefix));
  const built = await readFile(join(dir, 'index.html'), 'utf8').catch(() => null);
  const page = built?.replace('<head>', `<head>\n    <base href="${prefix}" />`);

  const sendPage = (request: FastifyRequest, reply: FastifyReply) => {
    // With an empty prefix the page route would shadow the API's own "no such route" answer.
    if (request.url.startsWith(`${API_PREFIX}/`)) return reply.callNotFound();
    if (page === undefined) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The web pages are not built: run `npx vite build --config src/web/vite.config.ts`.\n');
    }
    return (
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', CONTENT_SECURITY_POLICY)
        .header('x-content-type-options', 'nosniff')
        // A share link's page holds its token in the address: other sites never get it as a Referer.
        .header('referrer-policy', 'same-origin')
        .send(page)
    );
  };
  app.get(prefix, { schema: { hide: true } }, sendPage);
  app.get(`${prefix}*`, { schema: { hide: true } }, sendPage);

  if (page === undefined) return;
  // Vite names every asset by its content hash: a changed file has a new name, so it may be kept for good.
  await app.register(fastifyStatic, {
    root: join(dir, 'assets'),
    prefix: `${prefix}assets/`,
    decorateReply: false,
    schemaHide: true,
    immutable: true,
    maxAge: '365d',
  });
}

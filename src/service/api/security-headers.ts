import type { FastifyInstance } from 'fastify';

/**
 * For responses that set no policy of their own (the API's JSON, logs, downloads): nothing may load from them,
 * scripts in them may not run, and no site may frame them, should a browser ever render one as a page.
 */
const NOTHING_RUNS = "default-src 'none'; frame-ancestors 'none'; sandbox";

/**
 * Every response says `nosniff`, so a browser never takes a log or a build's file for HTML or script whatever
 * its bytes look like, and is not to be framed (clickjacking); pages with a policy of their own keep it.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', NOTHING_RUNS);
    return payload;
  });
}

import fastifyCsrf from '@fastify/csrf-protection';
import fastifySecureSession from '@fastify/secure-session';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../errors.ts';
import type { Actor } from '../jobs/index.ts';
import type { UserService } from '../users/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; null only on the routes marked `public`. */
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** Reachable without logging in (health, token and session creation). */
    public?: boolean;
  }
}

declare module '@fastify/secure-session' {
  interface SessionData {
    username: string;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Session cookies for the whole app: the API and the web pages share the login. */
export async function installSessions(app: FastifyInstance, sessionKey: Buffer): Promise<void> {
  await app.register(fastifySecureSession, {
    key: sessionKey,
    cookieName: 'img_session',
    // `auto`: the Secure flag whenever the request came over HTTPS, so plain-HTTP local use still works.
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: 'auto' },
  });
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/secure-session' });
  app.decorateRequest('actor', null);
}

/**
 * Every route of the scope needs a session cookie (for the web pages) or a bearer token (for scripts), unless
 * marked `public`. Cookie-authenticated writes must carry the CSRF token, since a browser sends the cookie on
 * any site's request; bearer tokens are never sent implicitly.
 */
export function requireLogin(app: FastifyInstance, users: UserService): void {
  app.addHook('onRequest', async (request, reply) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (bearer !== undefined) {
      request.actor = await users.actorForToken(bearer);
      if (!request.actor)
        throw new ServiceError('unauthorized', 'the bearer token is not valid (revoked or mistyped)');
      return;
    }
    const username = request.session.get('username');
    if (username !== undefined) {
      request.actor = await users.actorFor(username);
      // Public routes (logging in again) work without the token a fresh page does not have yet.
      const needsToken = !SAFE_METHODS.has(request.method) && !request.routeOptions.config.public;
      if (request.actor && needsToken) await checkCsrf(app, request, reply);
    }
    if (!request.actor && !request.routeOptions.config.public) {
      throw new ServiceError(
        'unauthorized',
        'log in (POST /api/v1/session) or send Authorization: Bearer TOKEN',
      );
    }
  });
}

function checkCsrf(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  return new Promise((resolve, reject) => {
    app.csrfProtection(request, reply, (error?: Error) => {
      if (error)
        reject(new ServiceError('forbidden', 'missing or wrong CSRF token (send it as x-csrf-token)'));
      else resolve();
    });
  });
}

/** The caller, on a route that is not public. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new ServiceError('unauthorized', 'not logged in');
  return request.actor;
}

export function requireAdmin(request: FastifyRequest): Actor {
  const actor = actorOf(request);
  if (!actor.admin) throw new ServiceError('forbidden', 'only an admin may do this');
  return actor;
}

import fastifyCsrf from '@fastify/csrf-protection';
import fastifySecureSession from '@fastify/secure-session';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../errors.ts';
import type { Actor } from '../jobs/index.ts';
import { SESSION_SECONDS, type UserService } from '../users/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; null only on the routes marked `public`. */
    actor: Actor | null;
    /** The id of the session the caller logged in with; null for a bearer token. */
    sessionId: string | null;
  }
  interface FastifyContextConfig {
    /** Reachable without logging in (health, token and session creation). */
    public?: boolean;
  }
}

declare module '@fastify/secure-session' {
  interface SessionData {
    /** The id of a row of the sessions table: logging out deletes the row, whatever copies of the cookie exist. */
    sid: string;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Session cookies for the whole app: the API and the web pages share the login. The encrypted cookie carries
 * the session's id and the CSRF secret; whether the session still holds is the server's table's to say.
 */
export async function installSessions(app: FastifyInstance, sessionKey: Buffer): Promise<void> {
  await app.register(fastifySecureSession, {
    key: sessionKey,
    cookieName: 'img_session',
    expiry: SESSION_SECONDS,
    // `auto`: the Secure flag whenever the request came over HTTPS, so plain-HTTP local use still works.
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: 'auto' },
  });
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/secure-session' });
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionId', null);
}

/**
 * Every route of the scope needs a session cookie (for the web pages) or a bearer token (for scripts), unless
 * marked `public`. Cookie-authenticated writes must carry the CSRF token, since a browser sends the cookie on
 * any site's request; bearer tokens are never sent implicitly.
 */
export function requireLogin(app: FastifyInstance, users: UserService): void {
  app.addHook('onRequest', async (request, reply) => {
    const bearer = bearerToken(request);
    if (bearer !== undefined) {
      request.actor = await users.actorForToken(bearer);
      // Logging in again is public: a script whose stored token has expired or was revoked gets a new one.
      if (!request.actor && !request.routeOptions.config.public)
        throw new ServiceError(
          'unauthorized',
          'the bearer token is not valid (revoked, expired or mistyped)',
        );
      return;
    }
    const sessionId = request.session.get('sid');
    if (sessionId !== undefined) {
      request.actor = await users.actorForSession(sessionId);
      if (request.actor) request.sessionId = sessionId;
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

/** The token of an `Authorization: Bearer TOKEN` header. */
export function bearerToken(request: FastifyRequest): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
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

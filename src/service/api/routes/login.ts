import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  Credentials,
  PasswordChange,
  type SessionBody,
  SessionSchema,
  TokenCreated,
  TokenInfoSchema,
  TokenRequest,
} from '../../../contract/api.ts';
import { ServiceError } from '../../errors.ts';
import type { Actor } from '../../jobs/index.ts';
import { passwordInDirectory } from '../../users/index.ts';
import { actorOf } from '../auth.ts';
import type { AppDeps } from '../deps.ts';
import { installLoginGuard } from '../login-limits.ts';

const tags = ['auth'];
const TokenParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** Logging in: a session cookie for browsers, bearer tokens for scripts; and changing one's own password. */
export async function loginRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { users } = deps;
  const guard = await installLoginGuard(app, deps.config.web);
  const authenticate = (request: FastifyRequest, { username, password }: Credentials) =>
    guard.attempt(request, username, () => users.authenticate(username, password));
  /** Who is logged in, what the pages need to know of their account, and the CSRF token. */
  const sessionBody = async (actor: Actor, reply: FastifyReply): Promise<SessionBody> => ({
    ...actor,
    csrf_token: reply.generateCsrf(),
    ldap: (await users.get(actor.username))?.ldap ?? false,
    default_password_accounts: actor.admin ? await users.defaultPasswordAccounts() : [],
  });

  app.post<{ Body: Credentials }>(
    '/session',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'log in: sets the session cookie',
        description: 'Too many failed logins for an account or from an address are answered 429 for a while.',
        body: Credentials,
        response: { 200: SessionSchema },
      },
    },
    async (request, reply) => {
      const actor = await authenticate(request, request.body);
      const previous = request.session.get('sid');
      if (previous !== undefined) await users.endSession(previous);
      const { id } = await users.startSession(actor.username);
      // A new login starts from an empty cookie, so no CSRF secret planted before it survives.
      request.session.regenerate();
      request.session.set('sid', id);
      return sessionBody(actor, reply);
    },
  );

  app.get(
    '/session',
    {
      schema: {
        tags,
        summary: 'who is logged in, and the CSRF token for writes',
        response: { 200: SessionSchema },
      },
    },
    async (request, reply) => sessionBody(actorOf(request), reply),
  );

  app.delete(
    '/session',
    {
      schema: {
        tags,
        summary: 'log out: the session ends on the server, whatever copies of the cookie exist',
      },
    },
    async (request, reply) => {
      if (request.sessionId !== null) await users.endSession(request.sessionId);
      request.session.delete();
      return reply.code(204).send();
    },
  );

  app.put<{ Body: PasswordChange }>(
    '/session/password',
    {
      schema: {
        tags,
        summary: 'change your own password',
        description:
          'Needs the current password (a wrong one counts as a failed login). Ends your other sessions, and ' +
          'with `revoke_tokens` revokes all your API tokens, the one sending this included. 409 for LDAP users: ' +
          'their password lives in the directory.',
        body: PasswordChange,
      },
    },
    async (request, reply) => {
      const { username } = actorOf(request);
      const { current_password, new_password, revoke_tokens } = request.body;
      // Refused before the current password is checked: that check would go to LDAP, and count as a login.
      if ((await users.get(username))?.ldap) throw passwordInDirectory(username);
      await guard.attempt(request, username, () => users.authenticate(username, current_password));
      await users.update(
        username,
        { password: new_password },
        {
          ...(request.sessionId === null ? {} : { keepSession: request.sessionId }),
          revokeTokens: revoke_tokens ?? false,
        },
      );
      return reply.code(204).send();
    },
  );

  app.post<{ Body: TokenRequest }>(
    '/tokens',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'a bearer token for scripts; shown once, only its hash is kept',
        description: 'Failed logins count as for POST /session.',
        body: TokenRequest,
        response: { 201: TokenCreated },
      },
    },
    async (request, reply) => {
      const { username, password, name, expires_in_days, expires } = request.body;
      if (expires_in_days !== undefined && expires !== undefined)
        throw new ServiceError('bad-request', 'give expires_in_days or expires, not both');
      const expiry = expires === undefined ? null : parseMoment(expires);
      const actor = await authenticate(request, { username, password });
      const token = await users.createToken(actor.username, {
        name: name ?? null,
        expires: expiry,
        ...(expires_in_days === undefined ? {} : { expiresInDays: expires_in_days }),
      });
      return reply.code(201).send(token);
    },
  );

  app.get(
    '/tokens',
    {
      schema: {
        tags,
        summary: 'your tokens (not their values)',
        response: {
          200: Type.Array(TokenInfoSchema),
        },
      },
    },
    async (request) =>
      (await users.listTokens(actorOf(request).username)).map(({ lastUsed, ...token }) => ({
        ...token,
        last_used: lastUsed,
      })),
  );

  app.delete<{ Params: { id: string } }>(
    '/tokens/:id',
    { schema: { tags, summary: 'revoke one of your tokens', params: TokenParams } },
    async (request, reply) => {
      await users.revokeToken(actorOf(request).username, request.params.id);
      return reply.code(204).send();
    },
  );
}

/** An ISO 8601 date (its start, UTC) or date-time. */
function parseMoment(text: string): Date {
  const parsed = /^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$/.test(text)
    ? new Date(text)
    : null;
  if (!parsed || Number.isNaN(parsed.getTime()))
    throw new ServiceError(
      'bad-request',
      `expires: "${text.slice(0, 40)}" is not an ISO 8601 date or date-time`,
    );
  return parsed;
}

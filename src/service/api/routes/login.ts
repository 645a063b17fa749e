import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ServiceError } from '../../errors.ts';
import { actorOf } from '../auth.ts';
import type { AppDeps } from '../deps.ts';
import { Credentials, SessionSchema, TokenCreated, TokenInfoSchema } from '../schemas.ts';

const tags = ['auth'];
const TokenParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** Logging in: a session cookie for browsers, bearer tokens for scripts. */
export async function loginRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { users } = deps;
  const mustAuthenticate = async ({ username, password }: Credentials) => {
    const actor = await users.authenticate(username, password);
    if (!actor) throw new ServiceError('unauthorized', 'wrong user name or password');
    return actor;
  };

  app.post<{ Body: Credentials }>(
    '/session',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'log in: sets the session cookie',
        body: Credentials,
        response: { 200: SessionSchema },
      },
    },
    async (request, reply) => {
      const actor = await mustAuthenticate(request.body);
      request.session.set('username', actor.username);
      return { ...actor, csrf_token: reply.generateCsrf() };
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
    async (request, reply) => ({ ...actorOf(request), csrf_token: reply.generateCsrf() }),
  );

  app.delete('/session', { schema: { tags, summary: 'log out' } }, async (request, reply) => {
    request.session.delete();
    return reply.code(204).send();
  });

  app.post<{ Body: Credentials }>(
    '/tokens',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'a bearer token for scripts; shown once, only its hash is kept',
        body: Credentials,
        response: { 201: TokenCreated },
      },
    },
    async (request, reply) => {
      const actor = await mustAuthenticate(request.body);
      return reply.code(201).send(await users.createToken(actor.username));
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
      (await users.listTokens(actorOf(request).username)).map((token) => ({
        id: token.id,
        created: token.created,
        last_used: token.lastUsed,
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

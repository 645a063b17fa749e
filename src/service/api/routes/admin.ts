import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  GroupSchema,
  GroupUpdate,
  NameParams,
  QueueSchema,
  QueueUpdate,
  UserCreate,
  UserPatch,
  UserSchema,
} from '../../../contract/api.ts';
import { actorOf, requireAdmin } from '../auth.ts';
import type { AppDeps } from '../deps.ts';

const tags = ['admin'];
const UserParams = Type.Object({ username: Type.String({ maxLength: 64 }) });

/** Queues, users and groups; every route here is for admins only. */
export async function adminRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { users, queues } = deps;
  app.addHook('preHandler', async (request) => {
    requireAdmin(request);
  });

  app.put<{ Params: NameParams; Body: QueueUpdate }>(
    '/queues/:name',
    {
      schema: {
        tags,
        summary: 'create or change a queue',
        params: NameParams,
        body: QueueUpdate,
        response: { 200: Type.Ref(QueueSchema) },
      },
    },
    async (request) => {
      const { description, starts_builds } = request.body;
      const { name } = request.params;
      await queues.put({ name, description, startsBuilds: starts_builds });
      const groups = (await queues.list()).find((queue) => queue.name === name)?.groups ?? [];
      return { name, description, starts_builds, groups };
    },
  );

  app.delete<{ Params: NameParams }>(
    '/queues/:name',
    { schema: { tags, summary: 'delete a queue that holds no job', params: NameParams } },
    async (request, reply) => {
      await queues.remove(request.params.name);
      return reply.code(204).send();
    },
  );

  app.get(
    '/users',
    { schema: { tags, summary: 'every user', response: { 200: Type.Array(Type.Ref(UserSchema)) } } },
    () => users.list(),
  );

  app.post<{ Body: UserCreate }>(
    '/users',
    { schema: { tags, summary: 'add a user', body: UserCreate, response: { 201: Type.Ref(UserSchema) } } },
    async (request, reply) => reply.code(201).send(await users.add(request.body)),
  );

  app.patch<{ Params: { username: string }; Body: UserPatch }>(
    '/users/:username',
    {
      schema: {
        tags,
        summary: 'change a user; a new password ends their sessions',
        params: UserParams,
        body: UserPatch,
        response: { 200: Type.Ref(UserSchema) },
      },
    },
    async (request) => {
      const { revoke_tokens, ...changes } = request.body;
      const { username } = request.params;
      // An admin resetting their own password keeps the session they do it from, as a change of their own does.
      const keepSession = username === actorOf(request).username ? request.sessionId : null;
      return users.update(username, changes, {
        ...(keepSession === null ? {} : { keepSession }),
        revokeTokens: revoke_tokens ?? false,
      });
    },
  );

  app.delete<{ Params: { username: string } }>(
    '/users/:username',
    { schema: { tags, summary: 'delete a user (their jobs stay)', params: UserParams } },
    async (request, reply) => {
      await users.remove(request.params.username);
      return reply.code(204).send();
    },
  );

  app.get(
    '/groups',
    { schema: { tags, summary: 'every group', response: { 200: Type.Array(Type.Ref(GroupSchema)) } } },
    () => users.listGroups(),
  );

  app.put<{ Params: NameParams; Body: GroupUpdate }>(
    '/groups/:name',
    {
      schema: {
        tags,
        summary: 'create or replace a group: its members, and the queues it opens to them',
        params: NameParams,
        body: GroupUpdate,
        response: { 200: Type.Ref(GroupSchema) },
      },
    },
    async (request) => {
      const { description, members, queues: opened = [] } = request.body;
      return users.putGroup(request.params.name, description, members, opened);
    },
  );

  app.delete<{ Params: NameParams }>(
    '/groups/:name',
    { schema: { tags, summary: 'delete a group', params: NameParams } },
    async (request, reply) => {
      await users.removeGroup(request.params.name);
      return reply.code(204).send();
    },
  );
}

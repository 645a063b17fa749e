import type { Kysely } from 'kysely';
import { ulid } from 'ulid';
import type { Database } from '../db/schema.ts';
import { ServiceError } from '../errors.ts';
import type { Actor } from '../jobs/index.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { hashToken, newToken } from './tokens.ts';

export interface User {
  username: string;
  email: string | null;
  admin: boolean;
  created: string;
  groups: string[];
}

export interface Group {
  name: string;
  description: string;
  members: string[];
}

export interface TokenInfo {
  id: string;
  created: string;
  lastUsed: string | null;
}

/** The original's first-start admin; a warning is printed at every start while its password is unchanged. */
export const DEFAULT_ADMIN = { username: 'imager', password: 'imager' } as const;

/** Names become folder names (`<base_dir>/<queue>/<owner>/`), so they are kept to path-safe characters. */
const safeUserName = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const MIN_PASSWORD = 6;
/**
 * A token's `last_used` is to the minute: writing it on every call was a database write per API request, about a
 * fifth of a submission's time on SQLite (bench/api-submit.bench.ts).
 */
const LAST_USED_EVERY_MS = 60_000;

export interface UserService {
  /** Creates the default admin when there is no user at all; answers whether it still has its default password. */
  ensureDefaultAdmin(): Promise<{ created: boolean; defaultPassword: boolean }>;
  authenticate(username: string, password: string): Promise<Actor | null>;
  actorFor(username: string): Promise<Actor | null>;
  add(input: { username: string; password: string; email?: string | null; admin?: boolean }): Promise<User>;
  update(
    username: string,
    changes: { password?: string; email?: string | null; admin?: boolean },
  ): Promise<User>;
  remove(username: string): Promise<void>;
  get(username: string): Promise<User | null>;
  list(): Promise<User[]>;

  listGroups(): Promise<Group[]>;
  putGroup(name: string, description: string, members: string[]): Promise<Group>;
  removeGroup(name: string): Promise<void>;

  /** Returns the token once; only its hash is stored. */
  createToken(username: string): Promise<{ id: string; token: string }>;
  actorForToken(token: string): Promise<Actor | null>;
  listTokens(username: string): Promise<TokenInfo[]>;
  revokeToken(username: string, id: string): Promise<void>;
}

export interface UserServiceOptions {
  now?: () => Date;
  /** scrypt's N for new hashes; tests lower it to stay fast. */
  scryptCost?: number;
}

export function createUserService(db: Kysely<Database>, options: UserServiceOptions = {}): UserService {
  const now = options.now ?? (() => new Date());
  const hash = (password: string) => hashPassword(password, options.scryptCost);
  async function mustGet(username: string): Promise<User> {
    const user = await service.get(username);
    if (!user) throw new ServiceError('not-found', `no user ${username}`);
    return user;
  }

  function checkPassword(password: string): void {
    if (password.length < MIN_PASSWORD) {
      throw new ServiceError('bad-request', `a password needs at least ${MIN_PASSWORD} characters`);
    }
  }

  const service: UserService = {
    async ensureDefaultAdmin() {
      const { count } = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .executeTakeFirstOrThrow();
      let created = false;
      if (Number(count) === 0) {
        // Several web nodes may start at once on one PostgreSQL: the first insert wins, the others do nothing.
        const inserted = await db
          .insertInto('users')
          .values({
            username: DEFAULT_ADMIN.username,
            password_hash: await hash(DEFAULT_ADMIN.password),
            email: null,
            admin: 1,
            created: now().toISOString(),
          })
          .onConflict((conflict) => conflict.column('username').doNothing())
          .returning('username')
          .executeTakeFirst();
        created = inserted !== undefined;
      }
      const admin = await db
        .selectFrom('users')
        .select('password_hash')
        .where('username', '=', DEFAULT_ADMIN.username)
        .executeTakeFirst();
      const defaultPassword =
        admin !== undefined && (await verifyPassword(DEFAULT_ADMIN.password, admin.password_hash));
      return { created, defaultPassword };
    },

    async authenticate(username, password) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('username', '=', username)
        .executeTakeFirst();
      if (!row || !(await verifyPassword(password, row.password_hash))) return null;
      return { username: row.username, admin: row.admin === 1 };
    },

    async actorFor(username) {
      const row = await db
        .selectFrom('users')
        .select(['username', 'admin'])
        .where('username', '=', username)
        .executeTakeFirst();
      return row ? { username: row.username, admin: row.admin === 1 } : null;
    },

    async add({ username, password, email = null, admin = false }) {
      if (!safeUserName.test(username)) {
        throw new ServiceError(
          'bad-request',
          `user name "${username}" must be 1 to 64 letters, digits, dots, dashes or underscores, not starting with . or -`,
        );
      }
      checkPassword(password);
      if (await service.get(username)) throw new ServiceError('conflict', `user ${username} already exists`);
      await db
        .insertInto('users')
        .values({
          username,
          password_hash: await hash(password),
          email,
          admin: admin ? 1 : 0,
          created: now().toISOString(),
        })
        .execute();
      return mustGet(username);
    },

    async update(username, changes) {
      await mustGet(username);
      const set: { password_hash?: string; email?: string | null; admin?: number } = {};
      if (changes.password !== undefined) {
        checkPassword(changes.password);
        set.password_hash = await hash(changes.password);
      }
      if (changes.email !== undefined) set.email = changes.email;
      if (changes.admin !== undefined) set.admin = changes.admin ? 1 : 0;
      if (Object.keys(set).length > 0)
        await db.updateTable('users').set(set).where('username', '=', username).execute();
      return mustGet(username);
    },

    async remove(username) {
      await mustGet(username);
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('api_tokens').where('username', '=', username).execute();
        await trx.deleteFrom('group_members').where('username', '=', username).execute();
        await trx.deleteFrom('users').where('username', '=', username).execute();
      });
    },

    async get(username) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('username', '=', username)
        .executeTakeFirst();
      if (!row) return null;
      const groups = await db
        .selectFrom('group_members')
        .select('group_name')
        .where('username', '=', username)
        .orderBy('group_name')
        .execute();
      return {
        username: row.username,
        email: row.email,
        admin: row.admin === 1,
        created: row.created,
        groups: groups.map((group) => group.group_name),
      };
    },

    async list() {
      const rows = await db.selectFrom('users').select('username').orderBy('username').execute();
      return Promise.all(rows.map((row) => mustGet(row.username)));
    },

    async listGroups() {
      const groups = await db.selectFrom('groups').selectAll().orderBy('name').execute();
      const members = await db.selectFrom('group_members').selectAll().orderBy('username').execute();
      return groups.map((group) => ({
        ...group,
        members: members
          .filter((member) => member.group_name === group.name)
          .map((member) => member.username),
      }));
    },

    async putGroup(name, description, members) {
      if (!safeUserName.test(name))
        throw new ServiceError('bad-request', `group name "${name}" is not allowed`);
      for (const member of members) await mustGet(member);
      await db.transaction().execute(async (trx) => {
        const exists = await trx
          .selectFrom('groups')
          .select('name')
          .where('name', '=', name)
          .executeTakeFirst();
        if (exists) await trx.updateTable('groups').set({ description }).where('name', '=', name).execute();
        else await trx.insertInto('groups').values({ name, description }).execute();
        await trx.deleteFrom('group_members').where('group_name', '=', name).execute();
        if (members.length > 0) {
          await trx
            .insertInto('group_members')
            .values([...new Set(members)].map((username) => ({ group_name: name, username })))
            .execute();
        }
      });
      return { name, description, members: [...new Set(members)].sort() };
    },

    async removeGroup(name) {
      const deleted = await db.deleteFrom('groups').where('name', '=', name).executeTakeFirst();
      if (deleted.numDeletedRows === 0n) throw new ServiceError('not-found', `no group ${name}`);
      await db.deleteFrom('group_members').where('group_name', '=', name).execute();
    },

    async createToken(username) {
      await mustGet(username);
      const token = newToken();
      const id = ulid();
      await db
        .insertInto('api_tokens')
        .values({ id, username, token_hash: hashToken(token), created: now().toISOString(), last_used: null })
        .execute();
      return { id, token };
    },

    async actorForToken(token) {
      const row = await db
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.username', 'api_tokens.username')
        .select(['api_tokens.id', 'api_tokens.last_used', 'users.username', 'users.admin'])
        .where('api_tokens.token_hash', '=', hashToken(token))
        .executeTakeFirst();
      if (!row) return null;
      const stamp = now();
      if (row.last_used === null || stamp.getTime() - Date.parse(row.last_used) >= LAST_USED_EVERY_MS) {
        await db
          .updateTable('api_tokens')
          .set({ last_used: stamp.toISOString() })
          .where('id', '=', row.id)
          .execute();
      }
      return { username: row.username, admin: row.admin === 1 };
    },

    async listTokens(username) {
      const rows = await db
        .selectFrom('api_tokens')
        .select(['id', 'created', 'last_used'])
        .where('username', '=', username)
        .orderBy('id')
        .execute();
      return rows.map((row) => ({ id: row.id, created: row.created, lastUsed: row.last_used }));
    },

    async revokeToken(username, id) {
      const deleted = await db
        .deleteFrom('api_tokens')
        .where('id', '=', id)
        .where('username', '=', username)
        .executeTakeFirst();
      if (deleted.numDeletedRows === 0n) throw new ServiceError('not-found', `no token ${id} of ${username}`);
    },
  };
  return service;
}

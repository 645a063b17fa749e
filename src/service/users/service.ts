import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ulid } from 'ulid';
import { type Placeholder, prepareQuery } from '../db/prepared.ts';
import type { Database } from '../db/schema.ts';
import { ServiceError } from '../errors.ts';
import { emailProblem, loginNameProblem, tokenNameProblem } from '../fields.ts';
import type { Actor } from '../jobs/index.ts';
import type { Directory, DirectoryAccount } from './ldap-directory.ts';
import {
  createPasswordHasher,
  DEFAULT_HASHING_LIMITS,
  DEFAULT_SCRYPT_COST,
  type HashingLimits,
  type PasswordHasher,
} from './passwords.ts';
import { hashToken, newToken } from './tokens.ts';

export interface User {
  username: string;
  email: string | null;
  admin: boolean;
  created: string;
  groups: string[];
  /** Made by an LDAP login: the password lives in the directory, and IMG keeps none. */
  ldap: boolean;
}

export interface Group {
  name: string;
  description: string;
  members: string[];
  /** The queues its members may submit to (a queue no group names is open to all; admins use every queue). */
  queues: string[];
}

export interface TokenInfo {
  id: string;
  name: string | null;
  created: string;
  lastUsed: string | null;
  /** ISO 8601; null: until revoked. */
  expires: string | null;
  expired: boolean;
}

export interface CreatedToken {
  id: string;
  token: string;
  name: string | null;
  expires: string | null;
}

export interface NewToken {
  name?: string | null;
  /** The moment it stops working, or (not both) after how many days; neither: until revoked. */
  expires?: Date | null;
  expiresInDays?: number;
}

/** A password change ends the user's sessions but `keepSession` (the one it was made from). */
export interface PasswordChange {
  keepSession?: string;
  /** Revoke every API token of the user as well. */
  revokeTokens?: boolean;
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
/** How long a browser's login lasts; the cookie's own expiry is the same. */
export const SESSION_SECONDS = 24 * 60 * 60;

export interface UserService {
  /**
   * Creates the default admin when there is no user at all; answers whether it still has its default password,
   * checked against its hash, and records the answer for `defaultPasswordAccounts`.
   */
  ensureDefaultAdmin(): Promise<{ created: boolean; defaultPassword: boolean }>;
  /** The accounts that still have the password the first start gave them: a read, no password check. */
  defaultPasswordAccounts(): Promise<string[]>;
  /**
   * The actor when the password is right: a local account's is checked here; any other name's by the directory,
   * when there is one, whose account is then made or updated (e-mail, and admin from the admin group). Every
   * name costs one scrypt, against a dummy hash when not local, so the time of the answer does not tell which
   * names exist. Throws `unavailable` when the directory cannot answer.
   */
  authenticate(username: string, password: string): Promise<Actor | null>;
  add(input: { username: string; password: string; email?: string | null; admin?: boolean }): Promise<User>;
  /** A new password ends the user's sessions (but `options.keepSession`), and revokes tokens if asked. */
  update(
    username: string,
    changes: { password?: string; email?: string | null; admin?: boolean },
    options?: PasswordChange,
  ): Promise<User>;

  remove(username: string): Promise<void>;
  get(username: string): Promise<User | null>;
  list(): Promise<User[]>;

  listGroups(): Promise<Group[]>;
  /** Creates or replaces the group: its members and the queues it opens to them. */
  putGroup(name: string, description: string, members: string[], queues?: string[]): Promise<Group>;
  removeGroup(name: string): Promise<void>;

  /** Returns the token once; only its hash is stored. */
  createToken(username: string, options?: NewToken): Promise<CreatedToken>;
  /** Null for an unknown, revoked or expired token. */
  actorForToken(token: string): Promise<Actor | null>;
  listTokens(username: string): Promise<TokenInfo[]>;
  revokeToken(username: string, id: string): Promise<void>;

  /** A new browser login: the id goes into the cookie, only its hash into the database. */
  startSession(username: string): Promise<{ id: string; expires: string }>;
  /** Null once the session ended (logged out, password changed, user deleted) or expired. */
  actorForSession(id: string): Promise<Actor | null>;
  endSession(id: string): Promise<void>;

  /** Stops the password hashing threads. */
  close(): Promise<void>;
}

export interface UserServiceOptions {
  now?: () => Date;
  /** scrypt's N for new hashes; tests lower it to stay fast. */
  scryptCost?: number;
  /** The bounds of the password hashing threads, `[web] password_threads` and `password_queue`. */
  hashing?: HashingLimits;
  /** Given, it is used (and closed by the caller) instead of a pool of the service's own. */
  hasher?: PasswordHasher;
  /** Where the passwords of non-local users are checked (`[auth] ldap_url`); none: local accounts only. */
  directory?: Directory | undefined;
}

/** The refusal of a password change for a user whose password IMG does not keep. */
export function passwordInDirectory(username: string): ServiceError {
  return new ServiceError(
    'conflict',
    `the password of ${username} lives in LDAP, and IMG keeps none: change it there`,
  );
}

export function createUserService(db: Kysely<Database>, options: UserServiceOptions = {}): UserService {
  const now = options.now ?? (() => new Date());
  const hasher = options.hasher ?? createPasswordHasher(options.hashing ?? DEFAULT_HASHING_LIMITS);
  const cost = options.scryptCost ?? DEFAULT_SCRYPT_COST;
  const hash = (password: string) => hasher.hash(password, cost);
  // Every API request asks this (see prepareQuery).
  const findToken = prepareQuery((value: Placeholder<{ hash: string }>) =>
    db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.username', 'api_tokens.username')
      .select([
        'api_tokens.id',
        'api_tokens.last_used',
        'api_tokens.expires',
        'users.username',
        'users.admin',
      ])
      .where('api_tokens.token_hash', '=', value('hash')),
  );
  // Made for the first unknown name, at the cost of new hashes; made again if the pool refused it then.
  let dummyHash: Promise<string> | undefined;
  const dummy = () => {
    dummyHash ??= hash(randomBytes(16).toString('hex')).catch((error: unknown) => {
      dummyHash = undefined;
      throw error;
    });
    return dummyHash;
  };
  const passwordMatches = async (password: string, stored: string | undefined) => {
    const matches = await hasher.verify(password, stored ?? (await dummy()));
    return stored !== undefined && matches;
  };
  /** The IMG user of someone the directory let in: made at their first login, then kept up to date. */
  async function saveDirectoryAccount(account: DirectoryAccount): Promise<Actor> {
    const { name } = account;
    if (!safeUserName.test(name)) {
      throw new ServiceError(
        'forbidden',
        `your LDAP user name "${name.slice(0, 64)}" cannot be an IMG user name (1 to 64 letters, digits, dots, ` +
          'dashes or underscores): ask an admin',
      );
    }
    const email = account.email !== null && emailProblem(account.email) === null ? account.email : undefined;
    await db
      .insertInto('users')
      .values({
        username: name,
        password_hash: '',
        email: email ?? null,
        admin: account.admin ? 1 : 0,
        created: now().toISOString(),
        ldap: 1,
      })
      .onConflict((conflict) => conflict.column('username').doNothing())
      .execute();
    const set = {
      ...(email === undefined ? {} : { email }),
      ...(account.admin === null ? {} : { admin: account.admin ? 1 : 0 }),
    };
    if (Object.keys(set).length > 0)
      await db.updateTable('users').set(set).where('username', '=', name).where('ldap', '=', 1).execute();
    const row = await db
      .selectFrom('users')
      .select(['username', 'admin', 'ldap'])
      .where('username', '=', name)
      .executeTakeFirstOrThrow();
    // An LDAP entry must not become a local account of the same name (the admin), whatever spelling was typed.
    if (row.ldap !== 1)
      throw new ServiceError('forbidden', `${name} is a local IMG account: log in with its IMG password`);
    return { username: row.username, admin: row.admin === 1 };
  }

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

  function checkEmail(email: string | null | undefined): void {
    const problem = email === null || email === undefined ? null : emailProblem(email);
    if (problem) throw new ServiceError('bad-request', `email: ${problem}`);
  }

  async function setPassword(username: string, password: string, change: PasswordChange): Promise<void> {
    checkPassword(password);
    const passwordHash = await hash(password);
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({ password_hash: passwordHash, default_password: 0 })
        .where('username', '=', username)
        .execute();
      let sessions = trx.deleteFrom('sessions').where('username', '=', username);
      if (change.keepSession !== undefined)
        sessions = sessions.where('id_hash', '!=', hashToken(change.keepSession));
      await sessions.execute();
      if (change.revokeTokens) await trx.deleteFrom('api_tokens').where('username', '=', username).execute();
    });
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
            default_password: 1,
          })
          .onConflict((conflict) => conflict.column('username').doNothing())
          .returning('username')
          .executeTakeFirst();
        created = inserted !== undefined;
      }
      const admin = await db
        .selectFrom('users')
        .select(['password_hash', 'default_password'])
        .where('username', '=', DEFAULT_ADMIN.username)
        .executeTakeFirst();
      const defaultPassword =
        admin !== undefined && (await hasher.verify(DEFAULT_ADMIN.password, admin.password_hash));
      // A database older than the flag, or the default password set again by hand since: the hash decides.
      if (admin !== undefined && (admin.default_password === 1) !== defaultPassword) {
        await db
          .updateTable('users')
          .set({ default_password: defaultPassword ? 1 : 0 })
          .where('username', '=', DEFAULT_ADMIN.username)
          .execute();
      }
      return { created, defaultPassword };
    },

    async defaultPasswordAccounts() {
      const rows = await db
        .selectFrom('users')
        .select('username')
        .where('default_password', '=', 1)
        .orderBy('username')
        .execute();
      return rows.map((row) => row.username);
    },

    async authenticate(username, password) {
      const problem = loginNameProblem(username);
      if (problem) throw new ServiceError('bad-request', `username: ${problem}`);
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('username', '=', username)
        .executeTakeFirst();
      if (row?.ldap === 0) {
        if (!(await passwordMatches(password, row.password_hash))) return null;
        return { username: row.username, admin: row.admin === 1 };
      }
      // Spent first, so that directory logins are bounded by the hashing threads as local ones are.
      await passwordMatches(password, undefined);
      const account = await options.directory?.authenticate(username, password);
      return account ? saveDirectoryAccount(account) : null;
    },

    async add({ username, password, email = null, admin = false }) {
      if (!safeUserName.test(username)) {
        throw new ServiceError(
          'bad-request',
          `user name "${username}" must be 1 to 64 letters, digits, dots, dashes or underscores, not starting with . or -`,
        );
      }
      checkPassword(password);
      checkEmail(email);
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

    async update(username, changes, change = {}) {
      const user = await mustGet(username);
      if (changes.password !== undefined && user.ldap) throw passwordInDirectory(username);
      checkEmail(changes.email);
      const set: { email?: string | null; admin?: number } = {};
      if (changes.password !== undefined) await setPassword(username, changes.password, change);
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
        await trx.deleteFrom('sessions').where('username', '=', username).execute();
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
        ldap: row.ldap === 1,
      };
    },

    async list() {
      const rows = await db.selectFrom('users').select('username').orderBy('username').execute();
      return Promise.all(rows.map((row) => mustGet(row.username)));
    },

    async listGroups() {
      const groups = await db.selectFrom('groups').selectAll().orderBy('name').execute();
      const members = await db.selectFrom('group_members').selectAll().orderBy('username').execute();
      const queues = await db.selectFrom('queue_groups').selectAll().orderBy('queue_name').execute();
      return groups.map((group) => ({
        ...group,
        members: members
          .filter((member) => member.group_name === group.name)
          .map((member) => member.username),
        queues: queues.filter((queue) => queue.group_name === group.name).map((queue) => queue.queue_name),
      }));
    },

    async putGroup(name, description, members, queues = []) {
      if (!safeUserName.test(name))
        throw new ServiceError('bad-request', `group name "${name}" is not allowed`);
      for (const member of members) await mustGet(member);
      const known = new Set(
        (await db.selectFrom('queues').select('name').execute()).map((queue) => queue.name),
      );
      const unknown = queues.filter((queue) => !known.has(queue));
      if (unknown.length > 0) throw new ServiceError('bad-request', `no queue named ${unknown.join(', ')}`);
      const uniqueMembers = [...new Set(members)].sort();
      const uniqueQueues = [...new Set(queues)].sort();
      await db.transaction().execute(async (trx) => {
        const exists = await trx
          .selectFrom('groups')
          .select('name')
          .where('name', '=', name)
          .executeTakeFirst();
        if (exists) await trx.updateTable('groups').set({ description }).where('name', '=', name).execute();
        else await trx.insertInto('groups').values({ name, description }).execute();
        await trx.deleteFrom('group_members').where('group_name', '=', name).execute();
        if (uniqueMembers.length > 0) {
          await trx
            .insertInto('group_members')
            .values(uniqueMembers.map((username) => ({ group_name: name, username })))
            .execute();
        }
        await trx.deleteFrom('queue_groups').where('group_name', '=', name).execute();
        if (uniqueQueues.length > 0) {
          await trx
            .insertInto('queue_groups')
            .values(uniqueQueues.map((queue) => ({ queue_name: queue, group_name: name })))
            .execute();
        }
      });
      return { name, description, members: uniqueMembers, queues: uniqueQueues };
    },

    async removeGroup(name) {
      const deleted = await db.deleteFrom('groups').where('name', '=', name).executeTakeFirst();
      if (deleted.numDeletedRows === 0n) throw new ServiceError('not-found', `no group ${name}`);
      await db.deleteFrom('group_members').where('group_name', '=', name).execute();
    },

    async createToken(username, { name = null, expires: moment = null, expiresInDays } = {}) {
      await mustGet(username);
      const expires =
        expiresInDays === undefined
          ? moment
          : new Date(now().getTime() + expiresInDays * 24 * 60 * 60 * 1000);
      const nameProblem = name === null ? null : tokenNameProblem(name);
      if (nameProblem) throw new ServiceError('bad-request', `name: ${nameProblem}`);
      if (expires !== null && !(expires.getTime() > now().getTime()))
        throw new ServiceError('bad-request', 'expires: the expiry must be a valid moment in the future');
      const created = { id: ulid(), token: newToken(), name, expires: expires?.toISOString() ?? null };
      await db
        .insertInto('api_tokens')
        .values({
          id: created.id,
          username,
          token_hash: hashToken(created.token),
          created: now().toISOString(),
          last_used: null,
          name,
          expires: created.expires,
        })
        .execute();
      return created;
    },

    async actorForToken(token) {
      const [row] = (await findToken.execute(db, { hash: hashToken(token) })).rows;
      const stamp = now();
      if (!row || isPast(row.expires, stamp)) return null;
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
        .select(['id', 'name', 'created', 'last_used', 'expires'])
        .where('username', '=', username)
        .orderBy('id')
        .execute();
      const stamp = now();
      return rows.map((row) => ({
        id: row.id,
        name: row.name,
        created: row.created,
        lastUsed: row.last_used,
        expires: row.expires,
        expired: isPast(row.expires, stamp),
      }));
    },

    async revokeToken(username, id) {
      const deleted = await db
        .deleteFrom('api_tokens')
        .where('id', '=', id)
        .where('username', '=', username)
        .executeTakeFirst();
      if (deleted.numDeletedRows === 0n) throw new ServiceError('not-found', `no token ${id} of ${username}`);
    },

    async startSession(username) {
      const stamp = now();
      // Ended and expired sessions are swept here, where sessions are made, rather than on every request.
      await db.deleteFrom('sessions').where('expires', '<=', stamp.toISOString()).execute();
      const id = randomBytes(32).toString('base64url');
      const expires = new Date(stamp.getTime() + SESSION_SECONDS * 1000).toISOString();
      await db
        .insertInto('sessions')
        .values({ id_hash: hashToken(id), username, created: stamp.toISOString(), expires })
        .execute();
      return { id, expires };
    },

    async actorForSession(id) {
      const row = await db
        .selectFrom('sessions')
        .innerJoin('users', 'users.username', 'sessions.username')
        .select(['users.username', 'users.admin'])
        .where('sessions.id_hash', '=', hashToken(id))
        .where('sessions.expires', '>', now().toISOString())
        .executeTakeFirst();
      return row ? { username: row.username, admin: row.admin === 1 } : null;
    },

    async endSession(id) {
      await db.deleteFrom('sessions').where('id_hash', '=', hashToken(id)).execute();
    },

    async close() {
      if (!options.hasher) await hasher.close();
    },
  };
  return service;
}

function isPast(moment: string | null, stamp: Date): boolean {
  return moment !== null && Date.parse(moment) <= stamp.getTime();
}

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import {
  type Compilable,
  type DatabaseIntrospector,
  Kysely,
  type Dialect as KyselyDialect,
  PostgresDialect,
  SqliteDialect,
} from 'kysely';
import pg from 'pg';
import {
  type BackgroundConnection,
  BackgroundGone,
  FALLBACK_AUTOCHECKPOINT_PAGES,
  startBackgroundConnection,
} from './background-connection.ts';
import { guardDialect, runGuarded } from './guard.ts';
import { DatabaseHealth } from './health.ts';
import { migrate } from './migrations.ts';
import { isUnavailable } from './outage.ts';
import { OwnSchemaIntrospector } from './own-schema-introspector.ts';
import type { Database } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

export type LongRead = <R>(query: Compilable<R>) => Promise<R[]>;

/** A long read run as any query is, on the event loop: where there is no background connection. */
export function readOnLoop(db: Kysely<Database>): LongRead {
  return async (query) => (await db.executeQuery(query.compile())).rows;
}

/**
 * Long reads on the background connection, guarded as every statement is: the thread meets the same locks and
 * outages as the process's own connection. A read the thread cannot run, because it is gone before or while it
 * runs, goes to `onLoop`, which is guarded itself.
 */
export function guardedLongRead(
  background: Pick<BackgroundConnection, 'read'>,
  onLoop: LongRead,
  health: DatabaseHealth,
): LongRead {
  return (query) => {
    const compiled = query.compile();
    const statement = async () => {
      const read = background.read(compiled);
      if (!read) return onLoop(query);
      try {
        return await read;
      } catch (error) {
        if (error instanceof BackgroundGone) return onLoop(query);
        throw error;
      }
    };
    return runGuarded(statement, { health, mayRetry: () => true, pause: (ms) => sleep(ms) });
  };
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Whether the database answers, as this process's queries found: outages are reported there once. */
  health: DatabaseHealth;
  /**
   * Runs a read that may take seconds (statistics over a year of jobs). On SQLite in a server or worker it runs on
   * the background connection's thread, not on the event loop; elsewhere as any query does.
   */
  longRead: LongRead;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** `[db] url`: empty for SQLite in dataDir, else postgres://… */
  url: string;
  dataDir: string;
  /**
   * Given, a database that cannot be reached yet (a server or worker started with it, or during a failover) is
   * waited for, and this is told once; without it (a command run by hand), the open fails at once.
   */
  onWaiting?: (error: unknown) => void;
  /**
   * Given (servers and workers), SQLite gets a second connection in a thread of its own for checkpoints and long
   * reads (background-connection.ts), and a thread that stops is told here; a command run by hand does without.
   */
  onBackgroundFailure?: (error: unknown) => void;
}

const WAIT_PAUSE_MAX_MS = 10_000;

/** Opens the database and brings its schema up to date. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const dialect: Dialect = options.url === '' ? 'sqlite' : 'postgres';
  const health = new DatabaseHealth();
  const opened =
    dialect === 'sqlite'
      ? sqliteDialect(options.dataDir, health, options.onBackgroundFailure)
      : { dialect: postgresDialect(options.url, health) };
  const db = new Kysely<Database>({ dialect: opened.dialect });
  const { background } = opened;
  const onLoop = readOnLoop(db);
  const longRead = background ? guardedLongRead(background, onLoop, health) : onLoop;
  const close = async () => {
    try {
      await db.destroy();
    } finally {
      // After the process's connection: the thread's, the last, checkpoints what is left and removes the log.
      await background?.stop();
    }
  };
  for (let pause = 0; ; pause += 1) {
    try {
      await migrate(db as Kysely<unknown>, dialect);
      return { db, dialect, health, longRead, close };
    } catch (error) {
      if (!(options.onWaiting && isUnavailable(error))) {
        await close();
        throw error;
      }
      if (pause === 0) options.onWaiting(error);
      await sleep(Math.min(WAIT_PAUSE_MAX_MS, 250 * 2 ** pause));
    }
  }
}

/**
 * What a log grown by a burst is cut back to once checkpointed. Above what the log reaches between the thread's
 * checkpoints under a steady stream of submissions (about 17 MiB here): at 16 MiB it was cut and grown again
 * every time, and submissions were 12 % slower.
 */
const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

/** Statements kept prepared: the distinct SQL texts the service sends are a few hundred at most. */
const STATEMENT_CACHE = 500;

function sqliteDialect(
  dataDir: string,
  health: DatabaseHealth,
  onBackgroundFailure: ((error: unknown) => void) | undefined,
): { dialect: KyselyDialect; background?: BackgroundConnection } {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'img.sqlite');
  const database = new SQLite(file);
  // WAL lets readers (the API) go on while a writer (a worker's heartbeat) commits. A writer that finds another
  // process's write under way waits for it, first inside SQLite (which blocks the event loop, so only briefly),
  // then by the guard's retries, which do not.
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 50');
  database.pragma('foreign_keys = ON');
  database.pragma('synchronous = NORMAL');
  database.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
  let background: BackgroundConnection | undefined;
  if (onBackgroundFailure) {
    database.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    background = startBackgroundConnection(file, onBackgroundFailure);
  }
  // Preparing a statement costs more than running most of ours; Kysely prepares each time it runs one.
  const statements = new Map<string, SQLite.Statement>();
  const prepare = (sql: string): SQLite.Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size >= STATEMENT_CACHE) statements.delete(statements.keys().next().value ?? '');
      statement = database.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  return {
    dialect: guardDialect(new SqliteDialect({ database: { prepare, close: () => database.close() } }), {
      health,
      sqlite: database,
    }),
    ...(background ? { background } : {}),
  };
}

function postgresDialect(url: string, health: DatabaseHealth): KyselyDialect {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // A server that does not answer must fail the request (503), not hold it.
    connectionTimeoutMillis: 5000,
    keepAlive: true,
  });
  // A connection cut while idle in the pool (the server stopped, an admin's pg_terminate_backend) is an 'error'
  // event of the pool, and one cut while checked out between two statements is the client's: unheard, either
  // would end the process. The pool drops such a client and opens a new one when the database is back.
  pool.on('error', (error) => health.lost(error));
  pool.on('connect', (client) => client.on('error', (error) => health.lost(error)));
  return guardDialect(new OwnSchemaPostgresDialect({ pool }), { health });
}

/** PostgreSQL as Kysely speaks it, but introspecting only IMG's own schema (own-schema-introspector.ts). */
class OwnSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new OwnSchemaIntrospector(db);
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { DatabaseHealth } from './health.ts';
import { databaseUnavailable, isDatabaseOutage, isSqliteBusy, isUnavailable } from './outage.ts';

export interface GuardOptions {
  health: DatabaseHealth;
  /**
   * SQLite's connection: its transactions take the write lock at BEGIN, and a statement that finds the database
   * locked past SQLite's own short wait is tried again without blocking the event loop, until `busyDeadlineMs`.
   */
  sqlite?: { inTransaction: boolean };
  busyDeadlineMs?: number;
}

/**
 * The dialect with every statement watched: an outage (see isDatabaseOutage) becomes one `unavailable`
 * ServiceError and is reported to `health`, whichever driver and whichever statement met it, so no caller has to
 * know what a lost PostgreSQL connection or a locked SQLite file looks like.
 */
export function guardDialect(dialect: Dialect, options: GuardOptions): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new GuardedDriver(dialect.createDriver(), options),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}

const BUSY_DEADLINE_MS = 10_000;
const BUSY_PAUSE_MAX_MS = 100;

class GuardedDriver implements Driver {
  readonly #guarded = new WeakMap<DatabaseConnection, GuardedConnection>();

  constructor(
    readonly inner: Driver,
    readonly options: GuardOptions,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    let connection: DatabaseConnection;
    try {
      connection = await this.inner.acquireConnection();
    } catch (error) {
      throw failureOf(error, this.options.health);
    }
    let guarded = this.#guarded.get(connection);
    if (!guarded) {
      guarded = new GuardedConnection(connection, this);
      this.#guarded.set(connection, guarded);
    }
    return guarded;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    // Deferred, a transaction that read first could not take the write lock later without failing at once
    // (SQLITE_BUSY_SNAPSHOT, no wait); IMMEDIATE waits for the lock at BEGIN, where a retry is harmless.
    if (this.options.sqlite) await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    else await this.inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection((connection as GuardedConnection).inner);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** The error a caller sees: the driver's own, or `unavailable` for an outage, which health hears of. */
function failureOf(error: unknown, health: DatabaseHealth): unknown {
  // Already made of an outage further in (a long read that fell back to the guarded connection), and told.
  if (isUnavailable(error)) return error;
  if (!isDatabaseOutage(error)) {
    health.answered();
    return error;
  }
  health.lost(error);
  return databaseUnavailable();
}

export interface GuardedRun {
  health: DatabaseHealth;
  /** Whether a statement SQLite found locked may run again: it did nothing, outside a transaction. */
  mayRetry: () => boolean;
  /** How a retry waits: the connection may serve other statements meanwhile. */
  pause: (ms: number) => Promise<void>;
  deadlineMs?: number;
}

/**
 * Runs a statement, again after growing pauses while SQLite finds the database locked, until the deadline; an
 * outage becomes `unavailable`, and health hears of every answer and outage. Shared by the process's connection
 * and the long reads of its background connection, which meet the same locks.
 */
export async function runGuarded<R>(statement: () => Promise<R>, run: GuardedRun): Promise<R> {
  const deadline = Date.now() + (run.deadlineMs ?? BUSY_DEADLINE_MS);
  for (let pauseMs = 1; ; pauseMs = Math.min(BUSY_PAUSE_MAX_MS, pauseMs * 2)) {
    try {
      const result = await statement();
      run.health.answered();
      return result;
    } catch (error) {
      if (!(isSqliteBusy(error) && run.mayRetry() && Date.now() < deadline))
        throw failureOf(error, run.health);
      await run.pause(pauseMs);
    }
  }
}

class GuardedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    readonly driver: GuardedDriver,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { sqlite, busyDeadlineMs, health } = this.driver.options;
    return runGuarded(() => this.inner.executeQuery<R>(query), {
      health,
      // Inside a transaction (after an IMMEDIATE begin, which holds the lock) a statement cannot be locked out.
      mayRetry: () => sqlite !== undefined && !sqlite.inTransaction,
      // No transaction is open, so the one connection may serve this process's other statements (its reads
      // above all, which the lock does not stop) while this one waits: Kysely's turn is given up meanwhile.
      pause: async (ms) => {
        await this.driver.inner.releaseConnection(this.inner);
        try {
          await sleep(ms);
        } finally {
          await this.driver.inner.acquireConnection();
        }
      },
      ...(busyDeadlineMs === undefined ? {} : { deadlineMs: busyDeadlineMs }),
    });
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

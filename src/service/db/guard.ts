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
import { databaseUnavailable, isDatabaseOutage, isSqliteBusy } from './outage.ts';

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
      throw this.failure(error);
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

  /** The error a caller sees: the driver's own, or `unavailable` for an outage, which health hears of. */
  failure(error: unknown): unknown {
    if (!isDatabaseOutage(error)) {
      this.options.health.answered();
      return error;
    }
    this.options.health.lost(error);
    return databaseUnavailable();
  }
}

class GuardedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    readonly driver: GuardedDriver,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { sqlite, busyDeadlineMs = BUSY_DEADLINE_MS, health } = this.driver.options;
    const deadline = Date.now() + busyDeadlineMs;
    for (let pauseMs = 1; ; pauseMs = Math.min(BUSY_PAUSE_MAX_MS, pauseMs * 2)) {
      try {
        const result = await this.inner.executeQuery<R>(query);
        health.answered();
        return result;
      } catch (error) {
        // Outside a transaction a locked statement did nothing, so it can simply run again; inside one (after an
        // IMMEDIATE begin, which holds the lock) it cannot be locked out.
        const retry = sqlite && !sqlite.inTransaction && isSqliteBusy(error) && Date.now() < deadline;
        if (!retry) throw this.driver.failure(error);
        // No transaction is open, so the one connection may serve this process's other statements (its reads
        // above all, which the lock does not stop) while this one waits: Kysely's turn is given up meanwhile.
        await this.driver.inner.releaseConnection(this.inner);
        try {
          await sleep(pauseMs);
        } finally {
          await this.driver.inner.acquireConnection();
        }
      }
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

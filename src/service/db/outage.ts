import { ServiceError } from '../errors.ts';

/** Socket errors of a server that is down, restarting or out of reach. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL's SQLSTATEs of a server that is going or not taking connections: admin_shutdown (57P01, also what
 * pg_terminate_backend sends), crash_shutdown, cannot_connect_now (starting up, shutting down),
 * too_many_connections, configuration_limit_exceeded; and every connection_exception (class 08).
 */
const POSTGRES_CODES = new Set(['57P01', '57P02', '57P03', '53300', '53400']);

/** What node-postgres says, without a code, of a connection that broke or could not be made in time. */
const POSTGRES_MESSAGES =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended unexpectedly/i;

/**
 * Whether an error means the database is away for now, rather than that it refused this statement: a retry later
 * may succeed, and the client should be told to come back (503) rather than that the server failed (500).
 */
export function isDatabaseOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || POSTGRES_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
    if (isSqliteBusy(error)) return true;
  }
  return POSTGRES_MESSAGES.test(error.message);
}

/** SQLite's "another connection holds the lock" (SQLITE_BUSY and its extended codes, SQLITE_LOCKED). */
export function isSqliteBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

/** How soon a client may try again: a database usually is back within seconds (a restart, a failover). */
const RETRY_AFTER_SECONDS = 5;

/** The one error an outage becomes, whatever the driver said: the API answers it 503 with Retry-After. */
export function databaseUnavailable(): ServiceError {
  // Without the driver's error as its cause (the handler would log it with every refused request): the outage is
  // reported once, by the database's health.
  return new ServiceError(
    'unavailable',
    'the database cannot be reached at the moment; try again shortly',
    undefined,
    RETRY_AFTER_SECONDS,
  );
}

/** An error the guard made of an outage: already reported once through the database's health. */
export function isUnavailable(error: unknown): boolean {
  return error instanceof ServiceError && error.code === 'unavailable';
}

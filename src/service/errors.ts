/**
 * Every refusal the service can answer, once, with its HTTP status. Code throws `ServiceError`s with one of
 * these codes; the API's one error handler turns them into `{error, message, details?}`.
 */
export const ERROR_STATUS = {
  'bad-request': 400,
  'invalid-kickstart': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'pinned-job': 409,
  'log-gap': 409,
  'too-large': 413,
  'unsupported-media-type': 415,
  'range-not-satisfiable': 416,
  'too-many-requests': 429,
  internal: 500,
  busy: 503,
  /**
   * A server IMG depends on for the request cannot be used: the database (down, restarting, failing over, or
   * SQLite locked too long) or the LDAP directory. Retry after a while.
   */
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Sent as Retry-After: when a refusal for load or too many attempts ends. */
    readonly retryAfterSeconds?: number,
    /** What went wrong underneath, for the server log only: the message is what the client sees. */
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

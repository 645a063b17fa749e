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
  internal: 500,
  /** The database is away (down, restarting, failing over, or SQLite locked too long): retry after a while. */
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

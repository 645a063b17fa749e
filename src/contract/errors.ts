/**
 * Every refusal the service can answer, once, with its HTTP status: the service throws `ServiceError`s with one
 * of these codes, the API's one error handler turns them into `{error, message, details?}`, and clients read them.
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

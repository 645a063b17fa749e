import type { ErrorCode } from '../contract/errors.ts';

export { ERROR_STATUS, type ErrorCode } from '../contract/errors.ts';

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

/** The exit codes every `imger` command uses; the README lists them. */
export const EXIT = {
  ok: 0,
  /** The input was read but is not valid (a kickstart with errors, a failed build). */
  invalid: 1,
  /** The command line itself was wrong. */
  usage: 2,
  /** Something outside the input failed: a file could not be written, a server could not be reached. */
  failure: 3,
  /** The job waited for was cancelled. */
  cancelled: 4,
} as const;

/** An error meant for the user: printed as one line, never with a stack trace. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}

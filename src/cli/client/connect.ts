import type { Command } from 'commander';
import { ApiClient, ApiError } from '../../client/api-client.ts';
import { ChecksumError } from '../../client/download.ts';
import { resolveConnection } from '../../client/stored-login.ts';
import { EXIT, UserError } from '../exit-codes.ts';

export interface ClientFlags {
  server?: string;
  json?: boolean;
}

/** The options every command that talks to a server shares. */
export function addClientOptions(command: Command): Command {
  return command
    .option('--server <url>', 'the IMG server (default: $IMG_SERVER, else the one `imger login` used)')
    .option('--json', 'print JSON for scripts instead of text');
}

/** A client for the chosen server; no server at all is the one failure found before any call. */
export async function connect(flags: ClientFlags): Promise<ApiClient> {
  const connection = await resolveConnection(flags);
  if (!connection) {
    throw new UserError(
      'no server: run `imger login --server URL`, or give --server or IMG_SERVER',
      EXIT.usage,
    );
  }
  return new ApiClient(connection);
}

/** Runs a command's work with a client, turning API errors into the one-line messages and exit codes of imger. */
export async function withClient(
  flags: ClientFlags,
  work: (client: ApiClient) => Promise<void>,
): Promise<void> {
  const client = await connect(flags);
  try {
    await work(client);
  } catch (error) {
    throw userErrorOf(error, client);
  }
}

export function userErrorOf(error: unknown, client: ApiClient): unknown {
  if (error instanceof ChecksumError)
    return new UserError(`checksum mismatch: ${error.message}`, EXIT.failure);
  if (!(error instanceof ApiError)) return error;
  if (error.status === 0) return new UserError(error.message, EXIT.failure);
  if (error.status === 401) {
    return new UserError(
      `not logged in to ${client.server} (${error.message}): run \`imger login --server ${client.server}\` or set IMG_TOKEN`,
      EXIT.failure,
    );
  }
  if (error.code === 'invalid-kickstart') {
    const lines = error.kickstartErrors.map(({ line, message }) => `kickstart line ${line}: ${message}`);
    return new UserError([`kickstart invalid: ${error.message}`, ...lines].join('\nimger: '), EXIT.invalid);
  }
  // Refused for who is asking or for load (too many attempts, busy): no fault of the input.
  const exitCode =
    error.status >= 500 || error.status === 403 || error.status === 429 ? EXIT.failure : EXIT.invalid;
  return new UserError(`${error.message} (${error.code})`, exitCode);
}

import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { type Config, ConfigError, checkSupported, loadConfig } from '../../service/config/index.ts';
import { ServiceError } from '../../service/errors.ts';
import type { openService } from '../../service/open.ts';
import { EXIT, UserError } from '../exit-codes.ts';

const warn = (message: string) => process.stderr.write(`imger: warning: ${message}\n`);

/** `--config` on the command, else IMG_CONFIG, else /etc/imger/img.conf; a bad file is a usage error. */
export function configFrom(command: Command): Config {
  const file = command.optsWithGlobals<{ config?: string }>().config;
  try {
    const config = loadConfig({ ...(file === undefined ? {} : { file }), warn });
    checkSupported(config);
    return config;
  } catch (error) {
    if (error instanceof ConfigError) throw new UserError(error.message, EXIT.usage);
    throw error;
  }
}

export function registerServiceCommands(program: Command): void {
  program
    .command('serve')
    .description('serve the REST API and the web pages, with num_workers local build slots')
    .option('-c, --config <file>', 'img.conf to read (default: $IMG_CONFIG or /etc/imger/img.conf)')
    .action(async (_options, command: Command) => {
      const config = configFrom(command);
      const { addressesMessage, serve } = await import('../../service/serve.ts');
      const server = await serve(config, warn).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE' && error.code !== 'EACCES') throw error;
        const { host, port } = config.web.listen;
        throw new UserError(
          `cannot listen on ${host}:${port} ([web] listen): ${error.message}`,
          EXIT.failure,
        );
      });
      process.stdout.write(`${addressesMessage(server)}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.stop();
    });

  const user = program
    .command('user')
    .description('manage the users who may log in')
    .option('-c, --config <file>', 'img.conf to read (default: $IMG_CONFIG or /etc/imger/img.conf)');

  user
    .command('add <username>')
    .description('add a user; the password is read from standard input or asked for')
    .option('--admin', 'may manage queues and users, and cancel or delete anyone’s jobs')
    .option('--email <address>', 'where notices about their jobs go')
    .action((username: string, options: { admin?: boolean; email?: string }, command: Command) =>
      withUsers(command, async (users) => {
        await users.add({
          username,
          password: await readPassword(),
          admin: options.admin ?? false,
          email: options.email ?? null,
        });
        process.stdout.write(`added ${username}${options.admin ? ' (admin)' : ''}\n`);
      }),
    );

  user
    .command('passwd <username>')
    .description('set a user’s password, read from standard input or asked for; ends their web sessions')
    .option('--revoke-tokens', 'revoke all their API tokens too')
    .action((username: string, options: { revokeTokens?: boolean }, command: Command) =>
      withUsers(command, async (users) => {
        const revokeTokens = options.revokeTokens ?? false;
        await users.update(username, { password: await readPassword() }, { revokeTokens });
        process.stdout.write(
          `password of ${username} changed; their sessions ended${revokeTokens ? ', their tokens revoked' : ''}\n`,
        );
      }),
    );

  user
    .command('del <username>')
    .description('delete a user and their tokens (their jobs stay)')
    .action((username: string, _options: unknown, command: Command) =>
      withUsers(command, async (users) => {
        await users.remove(username);
        process.stdout.write(`deleted ${username}\n`);
      }),
    );
}

async function withUsers(
  command: Command,
  work: (users: Awaited<ReturnType<typeof openService>>['users']) => Promise<void>,
): Promise<void> {
  const { openService } = await import('../../service/open.ts');
  const service = await openService(configFrom(command));
  try {
    await work(service.users);
  } catch (error) {
    if (error instanceof ServiceError) {
      throw new UserError(
        error.message,
        error.code === 'not-found' || error.code === 'conflict' ? EXIT.failure : EXIT.invalid,
      );
    }
    throw error;
  } finally {
    await service.close();
  }
}

/** From a terminal, asked (twice when `confirm`) without echo; from a pipe, the first line, for scripts. */
export async function readPassword(options: { confirm: boolean } = { confirm: true }): Promise<string> {
  const [password = ''] = await readPasswords(['password: '], options);
  return password;
}

/**
 * Several passwords (the current one, then a new one): from a terminal each asked without echo, the last one
 * twice when `confirm`; from a pipe, one line each, for scripts.
 */
export async function readPasswords(
  prompts: readonly string[],
  options: { confirm: boolean } = { confirm: true },
): Promise<string[]> {
  if (!process.stdin.isTTY) {
    const lines: string[] = [];
    const input = createInterface({ input: process.stdin });
    for await (const line of input) {
      lines.push(line);
      if (lines.length === prompts.length) break;
    }
    input.close();
    if (lines.length < prompts.length)
      throw new UserError(
        `expected ${prompts.length} line(s) on standard input: ${prompts.join('')}`,
        EXIT.usage,
      );
    return lines;
  }
  const answers: string[] = [];
  for (const prompt of prompts) answers.push(await askHidden(prompt));
  if (options.confirm && (await askHidden('again: ')) !== answers.at(-1))
    throw new UserError('the two passwords differ', EXIT.usage);
  return answers;
}

async function askHidden(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  process.stdin.setRawMode(true);
  process.stdin.resume();
  let answer = '';
  try {
    for await (const chunk of process.stdin) {
      for (const char of String(chunk)) {
        if (char === '\r' || char === '\n') return answer;
        if (char === '\u0003') throw new UserError('interrupted', EXIT.failure);
        answer = char === '\u007f' ? answer.slice(0, -1) : answer + char;
      }
    }
    return answer;
  } finally {
    process.stdin.setRawMode(false);
    process.stdin.pause();
    process.stderr.write('\n');
  }
}

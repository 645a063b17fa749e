import { type Command, Option } from 'commander';
import { ApiError, type JobListQuery } from '../../client/api-client.ts';
import { storeLogin } from '../../client/stored-login.ts';
import { diffLines } from '../../contract/diff-text.ts';
import { JOB_STATUSES } from '../../contract/status.ts';
import { addClientOptions, type ClientFlags, withClient } from '../client/connect.ts';
import { downloadWithProgress } from '../client/download-progress.ts';
import { exitCodeOf, followLog, waitAndReport } from '../client/job-progress.ts';
import { describeJob, jobLine, printJson } from '../client/output.ts';
import { registerSubmitCommand } from '../client/submit.ts';
import { EXIT, UserError } from '../exit-codes.ts';
import { readPassword, readPasswords } from './service.ts';

/** The commands that drive a server through its REST API: login, submit, and what follows a job. */
export function registerClientCommands(program: Command): void {
  addClientOptions(
    program
      .command('login')
      .description('get a token from the server and keep it (mode 0600) for the other commands')
      .option('-u, --user <name>', 'user name (default: $USER)')
      .option('--token-name <name>', 'what to call the token in the token list')
      .option('--expires-in-days <days>', 'the token stops working after this many days (default: never)')
      .addHelpText(
        'after',
        '\nThe password is asked for on a terminal, or read as the first line of standard input.',
      ),
  ).action((flags: ClientFlags & { user?: string; tokenName?: string; expiresInDays?: string }) =>
    withClient(flags, async (client) => {
      const username = flags.user ?? process.env.USER ?? 'imager';
      const days = flags.expiresInDays === undefined ? undefined : Number(flags.expiresInDays);
      if (days !== undefined && !(Number.isInteger(days) && days >= 1))
        throw new UserError('--expires-in-days expects a whole number ≥ 1', EXIT.usage);
      const password = await readPassword({ confirm: false });
      const { token } = await client
        .login({
          username,
          password,
          ...(flags.tokenName === undefined ? {} : { name: flags.tokenName }),
          ...(days === undefined ? {} : { expires_in_days: days }),
        })
        .catch(wrongPasswordIsInvalid);
      const path = await storeLogin({ server: client.server, username, token });
      if (flags.json) printJson({ server: client.server, username, stored: path });
      else process.stdout.write(`logged in to ${client.server} as ${username} (token in ${path})\n`);
    }),
  );

  addClientOptions(
    program
      .command('passwd')
      .description('change your own password; your other web sessions end')
      .option('--revoke-tokens', 'revoke all your API tokens too (the stored login included: log in again)')
      .addHelpText(
        'after',
        '\nOn a terminal the current password is asked for, then the new one twice; from a pipe, the first two\nlines of standard input are the current and the new password.',
      ),
  ).action((flags: ClientFlags & { revokeTokens?: boolean }) =>
    withClient(flags, async (client) => {
      const [current = '', next = ''] = await readPasswords(['current password: ', 'new password: ']);
      await client
        .changePassword({
          current_password: current,
          new_password: next,
          revoke_tokens: flags.revokeTokens ?? false,
        })
        .catch(wrongPasswordIsInvalid);
      if (flags.json) printJson({ changed: true, tokens_revoked: flags.revokeTokens ?? false });
      else
        process.stdout.write(
          flags.revokeTokens
            ? 'password changed; your tokens are revoked: run imger login again\n'
            : 'password changed\n',
        );
    }),
  );

  registerSubmitCommand(program);

  jobCommand(program, 'status', 'show a job')
    .option('--kickstart', 'print the kickstart the job was submitted with')
    .action((id: string, flags: ClientFlags & { kickstart?: boolean }) =>
      withClient(flags, async (client) => {
        const job = await client.get(id);
        if (flags.json) printJson(job);
        else if (flags.kickstart) process.stdout.write(job.kickstart);
        else process.stdout.write(`${describeJob(job, (path) => client.url(path))}\n`);
      }),
    );

  jobCommand(program, 'wait', 'wait until a job ends; exit 0 when DONE, 1 on ERROR, 4 when CANCELLED')
    .option('--interval <seconds>', 'how often to ask', '2')
    .action((id: string, flags: ClientFlags & { interval: string }) =>
      withClient(flags, async (client) => {
        const job = await waitAndReport(client, id, flags, Number(flags.interval) * 1000);
        process.exitCode = exitCodeOf(job);
      }),
    );

  jobCommand(program, 'log', 'print the build log')
    .option('-f, --follow', 'keep printing new lines until the job ends')
    .action((id: string, flags: ClientFlags & { follow?: boolean }) =>
      withClient(flags, async (client) => {
        if (flags.follow) {
          await followLog(client, id);
          return;
        }
        const { text } = await client.log(id);
        if (flags.json) printJson({ id, log: text });
        else process.stdout.write(text);
      }),
    );

  addClientOptions(
    program
      .command('list')
      .description('list jobs, newest first')
      .option('--mine', 'only my jobs')
      .option('-q, --queue <queue>', 'only this queue')
      .addOption(new Option('--status <status>', 'only jobs in this state').choices(JOB_STATUSES))
      .option('--tag <tag>', 'only jobs with this tag')
      .option('--limit <n>', 'at most this many', '50'),
  ).action(
    (flags: ClientFlags & { mine?: boolean; queue?: string; status?: string; tag?: string; limit: string }) =>
      withClient(flags, async (client) => {
        const limit = Number(flags.limit);
        if (!Number.isInteger(limit) || limit < 1)
          throw new UserError('--limit expects a whole number ≥ 1', EXIT.usage);
        const query: JobListQuery = { limit };
        if (flags.mine) query.owner = 'mine';
        if (flags.queue) query.queue = flags.queue;
        if (flags.status) query.status = flags.status as JobListQuery['status'];
        if (flags.tag) query.tag = flags.tag;
        const page = await client.list(query);
        if (flags.json) printJson(page);
        else for (const job of page.jobs) process.stdout.write(`${jobLine(job)}\n`);
      }),
  );

  jobCommand(
    program,
    'cancel',
    'cancel a job: at once while it waits, within seconds while it builds',
  ).action((id: string, flags: ClientFlags) =>
    withClient(flags, async (client) => {
      const job = await client.cancel(id);
      if (flags.json) printJson(job);
      else process.stdout.write(`${jobLine(job)}${job.cancel_requested ? ' (cancel requested)' : ''}\n`);
    }),
  );

  jobCommand(program, 'retry', 'submit a finished job again, as a new job').action(
    (id: string, flags: ClientFlags) =>
      withClient(flags, async (client) => {
        const job = await client.retry(id);
        if (flags.json) printJson(job);
        else process.stdout.write(`${jobLine(job)}\n`);
      }),
  );

  addClientOptions(
    program
      .command('diff <from> <to>')
      .description("what changed from one job's image to another's: packages (name, version) and files"),
  ).action((from: string, to: string, flags: ClientFlags) =>
    withClient(flags, async (client) => {
      const diff = await client.diff(from, to);
      if (flags.json) printJson(diff);
      else process.stdout.write(`${diffLines(diff).join('\n')}\n`);
    }),
  );

  jobCommand(program, 'delete', 'delete a finished job and its files').action(
    (id: string, flags: ClientFlags) =>
      withClient(flags, async (client) => {
        await client.delete(id);
        if (flags.json) printJson({ id, deleted: true });
        else process.stdout.write(`deleted ${id}\n`);
      }),
  );

  jobCommand(program, 'download', 'download the files of a job, resuming cut downloads, and check SHA256SUMS')
    .option('-o, --output <dir>', 'folder to put them in', '.')
    .option('--image', 'only the image (and SHA256SUMS)')
    .action((id: string, flags: ClientFlags & { output: string; image?: boolean }) =>
      withClient(flags, async (client) => {
        const files = await downloadWithProgress(client, id, flags.output, {
          imageOnly: flags.image ?? false,
          quiet: flags.json ?? false,
        });
        if (flags.json) printJson(files);
      }),
    );
}

/** Where a password was just sent, a 401 is that password being wrong, not a missing login. */
function wrongPasswordIsInvalid(error: unknown): never {
  if (error instanceof ApiError && error.status === 401) throw new UserError(error.message, EXIT.invalid);
  throw error;
}

function jobCommand(program: Command, name: string, description: string): Command {
  return addClientOptions(program.command(`${name} <id>`).description(description));
}

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { SubmitJson } from '../../client/api-client.ts';
import { EXIT, UserError } from '../exit-codes.ts';
import { addClientOptions, type ClientFlags, withClient } from './connect.ts';
import { downloadWithProgress } from './download-progress.ts';
import { exitCodeOf, followLog, waitAndReport } from './job-progress.ts';
import { describeJob, printJson } from './output.ts';

interface SubmitFlags extends ClientFlags {
  kickstart?: string;
  template?: string;
  type?: string;
  arch: string;
  name?: string;
  email?: string;
  queue?: string;
  tokenmap?: string;
  release?: string;
  tag?: string[];
  extraRepo?: string[];
  package?: string[];
  pin?: boolean;
  fresh?: boolean;
  wait?: boolean;
  follow?: boolean;
  download?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `imger submit`, which also takes boss_client.py's spelling (`-s -k FILE -t TYPE -n NAME -e EMAIL -r RELEASE`). */
export function registerSubmitCommand(program: Command): void {
  addClientOptions(
    program
      .command('submit')
      .description('submit a kickstart (or a ready template) to be built')
      .option('-k, --kickstart <file>', 'the kickstart file')
      .option('--template <name>', 'a ready template of the server instead (imger ks templates)')
      .option('-t, --type <type>', 'image type (fs, raw, livecd, qcow2, …)')
      .option('-a, --arch <arch>', 'architecture', 'x86_64')
      .option('-n, --name <name>', 'image name (default: the file name without .ks)')
      .option('-e, --email <address>', 'where the DONE or ERROR notice goes')
      .option('-q, --queue <queue>', 'queue (default: the server’s, api)')
      .option('--tokenmap <T:V,...>', 'values of the kickstart’s @TOKEN@s, as mic’s --tokenmap')
      .option('-r, --release <release>', 'the release @RELEASE@ stands for (boss_client.py’s -r)')
      .option('--tag <tag>', 'a tag for the job (repeatable)', collect)
      .option('--extra-repo <url>', 'a repository added to the kickstart’s own (repeatable)', collect)
      .option(
        '--package <name>',
        'a package added; -name leaves one out, @name is a group (repeatable)',
        collect,
      )
      .option('--pin', 'keep the image until it is unpinned')
      .option('--fresh', 'build again even if an identical build is DONE or running')
      .option('-s, --submit', 'accepted for boss_client.py’s command lines; submitting is what this does')
      .option('--wait', 'wait until the job ends; the exit code tells how (see imger wait)')
      .option('-f, --follow', 'print the build log as it grows, until the job ends')
      .option('--download <dir>', 'when DONE, download the files into this folder'),
  ).action((flags: SubmitFlags) =>
    withClient(flags, async (client) => {
      const submitted = await client.submit(await submission(flags));
      const waiting = flags.wait || flags.follow || flags.download !== undefined;
      if (!waiting) {
        if (flags.json) printJson(submitted);
        else process.stdout.write(`${describeJob(submitted, (path) => client.url(path))}\n`);
        return;
      }
      if (!flags.json) process.stderr.write(`submitted ${submitted.id}\n`);
      if (flags.follow) await followLog(client, submitted.id);
      const job = await waitAndReport(client, submitted.id, flags);
      if (flags.download !== undefined && job.status === 'DONE') {
        await downloadWithProgress(client, job.id, flags.download, {
          imageOnly: false,
          quiet: flags.json ?? false,
        });
      }
      process.exitCode = exitCodeOf(job);
    }),
  );
}

async function submission(flags: SubmitFlags): Promise<SubmitJson> {
  if ((flags.kickstart === undefined) === (flags.template === undefined))
    throw new UserError('give -k/--kickstart FILE or --template NAME (one of them)', EXIT.usage);
  if (flags.type === undefined) throw new UserError('give the image type with -t/--type', EXIT.usage);
  const request: SubmitJson = { type: flags.type, arch: flags.arch };
  if (flags.kickstart !== undefined) {
    request.kickstart = await readFile(flags.kickstart, 'utf8').catch((error: Error) => {
      throw new UserError(`cannot read the kickstart ${flags.kickstart}: ${error.message}`, EXIT.usage);
    });
    request.name = flags.name ?? basename(flags.kickstart).replace(/\.ks$/, '');
  } else {
    request.template = flags.template;
    if (flags.name !== undefined) request.name = flags.name;
  }
  const tokens = [flags.tokenmap, flags.release === undefined ? undefined : `RELEASE:${flags.release}`];
  const tokenmap = tokens.filter((part) => part !== undefined && part !== '').join(',');
  if (tokenmap !== '') request.tokenmap = tokenmap;
  if (flags.email !== undefined) request.email = flags.email;
  if (flags.queue !== undefined) request.queue = flags.queue;
  if (flags.tag !== undefined) request.tags = flags.tag;
  if (flags.extraRepo !== undefined) request.extra_repos = flags.extraRepo;
  if (flags.package !== undefined) request.packages = flags.package;
  if (flags.pin) request.pinned = true;
  if (flags.fresh) request.fresh = true;
  return request;
}

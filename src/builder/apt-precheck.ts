// Asks apt, before mmdebstrap starts, whether the package set can be installed at all. mmdebstrap finds a
// missing package only after installing the essential set (over a minute); this answers in seconds. It uses
// the host's apt with a private state: the image's sources, an empty dpkg status, the target arch.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepContext } from './runner.ts';

export interface PrecheckInput {
  sourcesFile: string;
  debianArch: string;
  packages: string[];
  excludesPreferences?: string;
  workDir: string;
}

export async function checkInstallable(ctx: StepContext, input: PrecheckInput): Promise<void> {
  const dir = join(input.workDir, 'apt-precheck');
  await mkdir(join(dir, 'lists/partial'), { recursive: true });
  await mkdir(join(dir, 'cache/archives/partial'), { recursive: true });
  await mkdir(join(dir, 'preferences.d'), { recursive: true });
  await writeFile(join(dir, 'status'), '');
  const options = [
    `Dir::Etc::SourceList=${input.sourcesFile}`,
    'Dir::Etc::SourceParts=/dev/null',
    `Dir::Etc::Preferences=${input.excludesPreferences ?? '/dev/null'}`,
    `Dir::Etc::PreferencesParts=${join(dir, 'preferences.d')}`,
    `Dir::State::Lists=${join(dir, 'lists')}`,
    `Dir::State::status=${join(dir, 'status')}`,
    `Dir::Cache=${join(dir, 'cache')}`,
    `APT::Architecture=${input.debianArch}`,
    'APT::Architectures::=',
    'Acquire::Languages=none',
    'Acquire::Retries=3',
    'Debug::NoLocking=1',
  ].flatMap((option) => ['-o', option]);
  const quiet = { onLine: () => {} };
  await ctx.run('apt-get', [...options, '-q', 'update'], quiet);
  await ctx.run(
    'apt-get',
    [...options, '-q', '--simulate', '--no-install-recommends', 'install', ...input.packages],
    quiet,
  );
  ctx.log(`apt can install all ${input.packages.length} requested packages`);
}

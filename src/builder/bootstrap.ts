// The base root: mmdebstrap from the image's apt sources, or the cached tarball of an identical earlier
// bootstrap. update-initramfs is diverted while packages install and run once at the end: Debian would
// otherwise build the initramfs twice (kernel postinst and trigger), the largest avoidable cost measured.
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { checkInstallable } from './apt-precheck.ts';
import { pruneRoots, touchRoot } from './cache.ts';
import { exists } from './paths.ts';
import type { StepContext } from './runner.ts';

export interface BootstrapInput {
  debianArch: string;
  suite: string;
  /** A sources.list file mmdebstrap copies into the root and installs from. */
  sourcesFile: string;
  packages: string[];
  /** An apt preferences file that pins the excluded packages away, when there are any. */
  excludesPreferences?: string;
  bootable: boolean;
  /** Where the .deb files persist between builds. */
  debCache: string;
}

const debPath = '/var/cache/apt/archives/';
/**
 * apt has no exclude list; a negative pin makes every excluded package uninstallable, so a dependency on
 * one fails the build instead of quietly pulling it in.
 */
export function excludesPreferences(excluded: string[]): string {
  return excluded.map((name) => `Package: ${name}\nPin: release *\nPin-Priority: -1\n`).join('\n');
}

const divertedInitramfs = '/usr/sbin/update-initramfs';

export function mmdebstrapArgs(input: BootstrapInput, rootDir: string): string[] {
  const hooks: string[] = [
    `--setup-hook=mkdir -p "$1${debPath}"`,
    `--setup-hook=sync-in ${input.debCache} ${debPath}`,
  ];
  if (input.excludesPreferences) {
    hooks.push(
      `--setup-hook=copy-in ${input.excludesPreferences} /etc/apt/preferences.d/`,
      `--customize-hook=rm -f "$1/etc/apt/preferences.d/${basename(input.excludesPreferences)}"`,
    );
  }
  if (input.bootable) {
    hooks.push(
      '--essential-hook=mkdir -p "$1/etc/initramfs-tools/conf.d" && echo MODULES=most > "$1/etc/initramfs-tools/conf.d/modules"',
      `--essential-hook=printf 'COMPRESS=zstd\\nCOMPRESSLEVEL=1\\n' > "$1/etc/initramfs-tools/conf.d/compress"`,
      `--essential-hook=chroot "$1" dpkg-divert --quiet --local --rename --add ${divertedInitramfs} && printf '#!/bin/sh\\necho update-initramfs: deferred by imger\\n' > "$1${divertedInitramfs}" && chmod 755 "$1${divertedInitramfs}"`,
    );
  }
  hooks.push(`--customize-hook=sync-out ${debPath} ${input.debCache}`);
  if (input.bootable) {
    hooks.push(
      `--customize-hook=rm -f "$1${divertedInitramfs}" && chroot "$1" dpkg-divert --quiet --local --rename --remove ${divertedInitramfs} && if [ -x "$1${divertedInitramfs}" ]; then chroot "$1" update-initramfs -c -k all; fi`,
    );
  }
  return [
    '--mode=root',
    '--variant=minbase',
    '--verbose',
    `--arch=${input.debianArch}`,
    `--include=${input.packages.join(',')}`,
    '--aptopt=Acquire::Languages "none"',
    '--aptopt=Acquire::Retries "3"',
    // Keeps the essential .debs in the chroot's archive so sync-out can cache them too.
    '--skip=essential/unlink',
    '--dpkgopt=path-exclude=/usr/share/doc/*',
    '--dpkgopt=path-include=/usr/share/doc/*/copyright',
    '--dpkgopt=path-exclude=/usr/share/man/*',
    ...hooks,
    input.suite,
    rootDir,
    input.sourcesFile,
  ];
}

/**
 * Counts packages from apt's verbose output, for "packages n/N" progress. mmdebstrap runs apt more than
 * once (essential set, then the rest), so the planned totals add up.
 */
export function packageCounter(report: (done: number, total: number) => void): (line: string) => void {
  let total = 0;
  let done = 0;
  return (line) => {
    const planned = /(\d+) newly installed/.exec(line);
    if (planned) {
      total += Number(planned[1]);
      return;
    }
    if (total > 0 && /^Setting up \S+/.test(line)) {
      done = Math.min(done + 1, total);
      report(done, total);
    }
  };
}

const tarOptions = ['--numeric-owner', '--xattrs', '--xattrs-include=*', '--acls'];

/**
 * Fills rootDir with the base system: from the cached tarball when one exists for this key, otherwise by
 * running mmdebstrap and storing the result for the next build.
 */
export async function bootstrapRoot(
  ctx: StepContext,
  input: BootstrapInput,
  rootDir: string,
  cachedTarball: string,
): Promise<'cache-hit' | 'bootstrapped'> {
  if (await exists(cachedTarball)) {
    ctx.log(`using the cached base root ${cachedTarball}`);
    await touchRoot(cachedTarball);
    await mkdir(rootDir, { recursive: true });
    await ctx.run('tar', [...tarOptions, '-I', 'zstd -T0', '-C', rootDir, '-xf', cachedTarball]);
    return 'cache-hit';
  }
  await checkInstallable(ctx, {
    sourcesFile: input.sourcesFile,
    debianArch: input.debianArch,
    packages: input.packages,
    workDir: dirname(rootDir),
    ...(input.excludesPreferences ? { excludesPreferences: input.excludesPreferences } : {}),
  });
  await mkdir(input.debCache, { recursive: true });
  const countPackages = packageCounter((done, total) => ctx.packages(done, total));
  // A private mount namespace: the /proc, /sys and /dev mounts mmdebstrap makes inside the root vanish with
  // it, even when it is killed before it can unmount them.
  await ctx.run(
    'unshare',
    ['--mount', '--propagation', 'private', 'mmdebstrap', ...mmdebstrapArgs(input, rootDir)],
    {
      onLine: (line) => {
        ctx.log(line);
        countPackages(line);
      },
    },
  );
  await storeTarball(ctx, rootDir, cachedTarball);
  return 'bootstrapped';
}

async function storeTarball(ctx: StepContext, rootDir: string, tarball: string): Promise<void> {
  await mkdir(join(tarball, '..'), { recursive: true });
  const partial = `${tarball}.${process.pid}.partial`;
  ctx.onCleanup(() => rm(partial, { force: true }));
  await ctx.run('tar', [...tarOptions, '-I', 'zstd -T0 -3', '-C', rootDir, '-cf', partial, '.']);
  // rename is atomic: a concurrent build sees either no tarball or a whole one.
  await rename(partial, tarball);
  ctx.log(`stored the base root as ${tarball}`);
  for (const pruned of await pruneRoots(dirname(tarball))) ctx.log(`pruned the unused base root ${pruned}`);
}

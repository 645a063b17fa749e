// The base root: mmdebstrap from the image's apt sources, or the cached tarball of an identical earlier
// bootstrap. mmdebstrap runs in the sandbox (sandbox.ts), in root mode as the root of the build's user
// namespace, offline: the host's apt has already decided and fetched every .deb (apt-closure.ts) and hands
// them in with the verified indexes. update-initramfs is diverted while packages install (Debian would build
// the initramfs in the kernel's postinst and again in its trigger, the largest avoidable cost measured); the
// initramfs is then made once, or taken from the cache, by initramfs.ts.
import { chown, mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type AptClosureInput, copyIndexes, downloadClosure, resolveClosure } from './apt-closure.ts';
import { builderVersion, pruneRoots, touchCached } from './cache.ts';
import { importIntoStore, removeNameKeyedDebs, stageDownloaded, stageFromStore } from './deb-cache.ts';
import { BuildFailure } from './failures.ts';
import { watchFolderBytes } from './folder-bytes.ts';
import { initramfsConfigHooks, provideInitramfs } from './initramfs.ts';
import { exists } from './paths.ts';
import type { AptRepo } from './recipe.ts';
import type { StepContext } from './runner.ts';
import { capabilities, onHost, type SandboxPlaces } from './sandbox.ts';

export interface BootstrapInput {
  debianArch: string;
  suite: string;
  /** A sources.list file mmdebstrap copies into the root and installs from (in the sandbox's inputs). */
  sourcesFile: string;
  packages: string[];
  /** An apt preferences file that pins the excluded packages away, when there are any (in the inputs). */
  excludesPreferences?: string;
  bootable: boolean;
  /** The repositories sourcesFile names (for the initramfs cache's key). */
  repos: Pick<AptRepo, 'url' | 'suite' | 'components'>[];
  /**
   * Every repository is one of the build host's own apt sources (the admin's choice): the package scripts that
   * ran in the root are trusted, and its initramfs is shared with roots of other package sets.
   */
  hostSourcesOnly: boolean;
  /** The shared .deb cache (deb-cache.ts); only this process reads and writes it. */
  debCache: string;
  /** The shared initramfs cache (initramfs.ts); only this process reads and writes it. */
  initramfsCache: string;
  /** mmdebstrap's and the package scripts' time, which also has it drop the files that differ per run. */
  sourceDateEpoch?: number;
  /** The shared cache of apt's index files (apt-lists-cache.ts); only this process reads and writes it. */
  listsCache: string;
}

const debPath = 'var/cache/apt/archives';
const listsPath = 'var/lib/apt/lists';
/**
 * apt has no exclude list; a negative pin makes every excluded package uninstallable, so a dependency on
 * one fails the build instead of quietly pulling it in.
 */
export function excludesPreferences(excluded: string[]): string {
  return excluded.map((name) => `Package: ${name}\nPin: release *\nPin-Priority: -1\n`).join('\n');
}

const divertedInitramfs = '/usr/sbin/update-initramfs';

/**
 * Where the host puts the verified indexes and .debs, in the still empty root, before any code of the image
 * runs: apt's own folders, where mmdebstrap's apt finds them as if it had downloaded them. The folders are made
 * one by one (an existing name fails, nothing is followed) and given to the namespace's root, so mmdebstrap
 * can add to them and apt-get clean can empty them at the end. The files stay the host's: nothing in the
 * sandbox can change one (their owner is not mapped into its namespace), only unlink it.
 */
async function aptFoldersInRoot(places: SandboxPlaces): Promise<{ lists: string; debs: string }> {
  for (const folder of ['var', 'var/cache', 'var/cache/apt', debPath, 'var/lib', 'var/lib/apt', listsPath]) {
    const path = join(places.root, folder);
    await mkdir(path, { mode: 0o755 });
    await chown(path, places.idBase, places.idBase);
  }
  return { lists: join(places.root, listsPath), debs: join(places.root, debPath) };
}

export function mmdebstrapArgs(input: BootstrapInput, places: SandboxPlaces): string[] {
  const hooks: string[] = [];
  if (input.excludesPreferences) {
    hooks.push(
      `--setup-hook=copy-in ${input.excludesPreferences} /etc/apt/preferences.d/`,
      `--customize-hook=rm -f "$1/etc/apt/preferences.d/${basename(input.excludesPreferences)}"`,
    );
  }
  if (input.bootable) {
    hooks.push(
      ...initramfsConfigHooks(),
      `--essential-hook=chroot "$1" dpkg-divert --quiet --local --rename --add ${divertedInitramfs} && printf '#!/bin/sh\\necho update-initramfs: deferred by imger\\n' > "$1${divertedInitramfs}" && chmod 755 "$1${divertedInitramfs}"`,
      `--customize-hook=rm -f "$1${divertedInitramfs}" && chroot "$1" dpkg-divert --quiet --local --rename --remove ${divertedInitramfs}`,
    );
  }
  return [
    '--mode=root',
    '--variant=minbase',
    '--verbose',
    `--arch=${input.debianArch}`,
    `--include=${input.packages.join(',')}`,
    '--aptopt=Acquire::Languages "none"',
    // The host updated and verified the indexes; the sandbox has no network to do it again.
    '--skip=update',
    // bubblewrap has mounted /proc and /dev in the target already (the sandbox cannot mount them itself) …
    '--skip=check/empty',
    '--skip=chroot/mount',
    // … so base-files' /proc cannot be unpacked onto it.
    '--dpkgopt=path-exclude=/proc',
    '--dpkgopt=path-exclude=/usr/share/doc/*',
    '--dpkgopt=path-include=/usr/share/doc/*/copyright',
    '--dpkgopt=path-exclude=/usr/share/man/*',
    ...hooks,
    input.suite,
    places.root,
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
 * Fills the image root with the base system: from the cached tarball when one exists for this key,
 * otherwise by running mmdebstrap and storing the result for the next build.
 */
export async function bootstrapRoot(
  ctx: StepContext,
  input: BootstrapInput,
  places: SandboxPlaces,
  cachedTarball: string,
  hostWorkDir: string,
): Promise<'cache-hit' | 'bootstrapped'> {
  if (await unpackCachedRoot(ctx, places, cachedTarball)) return 'cache-hit';
  await fetchPackages(ctx, input, places, hostWorkDir);
  const countPackages = packageCounter((done, total) => ctx.packages(done, total));
  await onHost(ctx, places, ['mmdebstrap', ...mmdebstrapArgs(input, places)], {
    binds: [{ path: places.inputs }, { path: places.root, writable: true }],
    // The host's keyrings for the sources' signed-by; the other folders keep apt from warning.
    etc: ['/etc/passwd', '/etc/group', '/etc/alternatives', '/etc/apt/trusted.gpg.d', '/etc/apt/trusted.gpg'],
    chroot: { path: places.root, proc: true },
    caps: capabilities.imageAdmin,
    env: {
      HOME: '/root',
      LANG: 'C.UTF-8',
      ...(input.sourceDateEpoch ? { SOURCE_DATE_EPOCH: String(input.sourceDateEpoch) } : {}),
    },
    onLine: (line) => {
      ctx.log(line);
      countPackages(line);
    },
  });
  if (input.bootable) {
    await provideInitramfs(ctx, places, input.initramfsCache, {
      debianArch: input.debianArch,
      sources: input.repos.map(({ url, suite, components }) => ({ url, suite, components })),
      hostSourcesOnly: input.hostSourcesOnly,
      builderVersion: await builderVersion(),
      ...(input.sourceDateEpoch ? { sourceDateEpoch: input.sourceDateEpoch } : {}),
    });
  }
  await storeTarball(ctx, places, cachedTarball);
  return 'bootstrapped';
}

/** The cached base root unpacked into the image root, when the cache has one by this name. */
export async function unpackCachedRoot(
  ctx: StepContext,
  places: SandboxPlaces,
  cachedTarball: string,
): Promise<boolean> {
  if (!(await exists(cachedTarball))) return false;
  ctx.log(`using the cached base root ${cachedTarball}`);
  await touchCached(cachedTarball);
  // Unpacked in the namespace, so the image's uid 0 becomes the namespace's root, never the host's.
  await onHost(ctx, places, ['tar', ...tarOptions, '-I', 'zstd -T0', '-C', places.root, '-xf', '-'], {
    binds: [{ path: places.root, writable: true }],
    caps: capabilities.imageAdmin,
    stdinFrom: cachedTarball,
  });
  return true;
}

/**
 * The closure and its indexes into the root's apt folders: from the .deb cache (hard links where it shares the
 * work folder's filesystem, else one copy), the rest downloaded and cached first.
 */
async function fetchPackages(
  ctx: StepContext,
  input: BootstrapInput,
  places: SandboxPlaces,
  hostWorkDir: string,
): Promise<void> {
  const closureInput: AptClosureInput = {
    sourcesFile: input.sourcesFile,
    debianArch: input.debianArch,
    suite: input.suite,
    packages: input.packages,
    workDir: hostWorkDir,
    listsCache: input.listsCache,
    ...(input.excludesPreferences ? { excludesPreferences: input.excludesPreferences } : {}),
  };
  const debs = await resolveClosure(ctx, closureInput);
  const given = await aptFoldersInRoot(places);
  await removeNameKeyedDebs(input.debCache);
  const missing = await stageFromStore(input.debCache, debs, given.debs);
  if (missing.length > 0) {
    ctx.log(`downloading ${missing.length} of ${debs.length} .deb files`);
    const downloads = join(hostWorkDir, 'apt-downloads');
    // The index gave every file's size.
    const total = missing.reduce((sum, deb) => sum + deb.size, 0);
    const watch = watchFolderBytes(downloads, (bytes) => ctx.bytes(Math.min(bytes, total), total));
    try {
      await downloadClosure(ctx, closureInput, missing, downloads);
    } finally {
      watch.stop();
    }
    ctx.bytes(total, total);
    const refused = await importIntoStore(input.debCache, missing, downloads);
    if (refused.length > 0) {
      throw new BuildFailure(
        'repository-unreachable',
        'bootstrap',
        `apt did not deliver ${refused.map((deb) => deb.file).join(', ')} with the size and SHA-256 of the index`,
      );
    }
    await stageDownloaded(downloads, missing, given.debs);
  }
  await copyIndexes(closureInput, given.lists);
}

/** The freshly made base root, packed into the cache under its key (before any user code ran in it). */
export async function storeTarball(ctx: StepContext, places: SandboxPlaces, tarball: string): Promise<void> {
  await mkdir(dirname(tarball), { recursive: true });
  const partial = `${tarball}.${process.pid}.partial`;
  ctx.onCleanup(() => rm(partial, { force: true }));
  // Packed in the namespace, so the tarball holds the image's own owners (uid 0, not the host's idBase).
  // bubblewrap made /proc as its mount point; base-files' mode for it is 0555. zstd -1: half the CPU of -3 on
  // the cold build's path, for a tarball 11 % larger that unpacks as fast.
  await onHost(
    ctx,
    places,
    [
      'sh',
      '-ec',
      'chmod 0555 "$1/proc"; exec tar --numeric-owner --xattrs --xattrs-include="*" --acls -I "zstd -T0 -1" -C "$1" -cf - .',
      'sh',
      places.root,
    ],
    { binds: [{ path: places.root, writable: true }], caps: capabilities.imageReader, stdoutTo: partial },
  );
  // rename is atomic: a concurrent build sees either no tarball or a whole one.
  await rename(partial, tarball);
  ctx.log(`stored the base root as ${tarball}`);
  for (const pruned of await pruneRoots(dirname(tarball))) ctx.log(`pruned the unused base root ${pruned}`);
}

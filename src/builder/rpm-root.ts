// An rpm root, in two halves like the apt one. On the host, dnf resolves the kickstart's package selection
// (groups and environments from the repositories' comps, excludes, repo options) against the recipe's
// repositories and downloads the closure into the sandbox's inputs, checking each package's signature against
// its repository's key (dnf's gpgsigcheck runs before --downloadonly stops): no package code runs there. Then,
// in the sandbox without a network, dnf installs exactly those files into the image root with /proc, /sys and
// /dev present, so the scriptlets (the kernel's kernel-install and dracut among them) run as in Anaconda.
// Debian's rpm keeps its database in ~/.rpmdb unless told otherwise, so dnf runs with a HOME whose .rpmmacros
// points it to Fedora's location.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageRecipe, PackageSource, RpmRepo } from './recipe.ts';
import type { StepContext } from './runner.ts';
import { capabilities, onHost, type SandboxPlaces } from './sandbox.ts';

export const rpmDbPath = '/usr/lib/sysimage/rpm';

/** The signing keys of the recipe's repositories, as files in the sandbox's inputs. */
export type RepoKeys = ReadonlyMap<PackageSource, string>;

/** Where the host hands the sandbox the downloaded packages. */
function handedRpms(places: SandboxPlaces): string {
  return join(places.inputs, 'rpms');
}

/**
 * The mounts the sandbox gives the install: rpm leaves them alone (the filesystem package's /proc, /sys and
 * /dev are mount points already, and in the user namespace their owners are not the image's to change).
 */
const mountedForScriptlets = ['/proc', '/sys', '/dev'];

/** rpm's macro for %packages --inst-langs; the image keeps it too, so its own dnf installs the same languages. */
export function installLangsMacro(langs: string): string {
  return `%_install_langs ${langs}\n`;
}

/** The image's copy of installLangsMacro, where Fedora's images keep it. */
export const installLangsFile = '/etc/rpm/macros.image-language-conf';

async function dnfHome(dir: string, installLangs?: string): Promise<string> {
  const home = join(dir, 'dnf-home');
  await mkdir(home, { recursive: true });
  await writeFile(
    join(home, '.rpmmacros'),
    `%_dbpath ${rpmDbPath}\n%_netsharedpath ${mountedForScriptlets.join(':')}\n` +
      (installLangs ? installLangsMacro(installLangs) : ''),
  );
  return home;
}

/** The `--setopt`s of one repository, each one argument: a value never reaches a shell or another option. */
export function repoOptions(repo: RpmRepo, key: string | undefined): string[] {
  const set = (name: string, value: string) => `--setopt=${repo.name}.${name}=${value}`;
  // pykickstart gives one of --baseurl, --mirrorlist and --metalink; dnf's repository from a mirror list is
  // made with the list's URL as its base and the base cleared.
  const mirrored = repo.mirrorlist !== undefined || repo.metalink !== undefined;
  return [
    `--repofrompath=${repo.name},${repo.url}`,
    ...(mirrored ? [set('baseurl', '')] : []),
    ...(repo.mirrorlist ? [set('mirrorlist', repo.mirrorlist)] : []),
    ...(repo.metalink ? [set('metalink', repo.metalink)] : []),
    ...(repo.cost === undefined ? [] : [set('cost', String(repo.cost))]),
    ...(repo.includePkgs?.length ? [set('includepkgs', repo.includePkgs.join(','))] : []),
    ...(repo.excludePkgs?.length ? [set('excludepkgs', repo.excludePkgs.join(','))] : []),
    ...(repo.proxy ? [set('proxy', repo.proxy)] : []),
    ...(key ? [set('gpgcheck', '1'), set('gpgkey', `file://${key}`)] : [set('gpgcheck', '0')]),
  ];
}

/** dnf's options that say where it works and which repositories it reads, with their keys. */
function repositoryArgs(
  recipe: ImageRecipe,
  keys: RepoKeys,
  installRoot: string,
  cacheDir: string,
): string[] {
  const repos = recipe.sources.filter((s): s is RpmRepo => s.kind === 'rpm');
  return [
    `--installroot=${installRoot}`,
    '--releasever=1',
    '--setopt=reposdir=/dev/null',
    `--setopt=cachedir=${cacheDir}`,
    ...repos.flatMap((repo) => repoOptions(repo, keys.get(repo))),
    ...repos.map((repo) => `--repo=${repo.name}`),
  ];
}

/** dnf's arguments for resolving and downloading the selection into `destdir` (exported for the tests). */
export function downloadArgs(
  recipe: ImageRecipe,
  keys: RepoKeys,
  installRoot: string,
  cacheDir: string,
  destdir: string,
): string[] {
  return [
    '-y',
    ...repositoryArgs(recipe, keys, installRoot, cacheDir),
    `--setopt=install_weak_deps=${recipe.excludeWeakDeps ? 'False' : 'True'}`,
    ...(recipe.multilib ? ['--setopt=multilib_policy=all'] : []),
    `--setopt=strict=${recipe.ignoreMissing ? 'False' : 'True'}`,
    ...recipe.excludedPackages.map((name) => `--exclude=${name}`),
    '--downloadonly',
    `--destdir=${destdir}`,
    'install',
    // After `--`, a package name that starts with a dash is a name, not an option.
    '--',
    ...recipe.packages,
  ];
}

/**
 * Anaconda installs the repositories' `core` group unless `%packages --nocore` says not to; repositories with no
 * such group (MeeGo's and Sailfish's patterns, a private repository) get none, as mic installs none.
 */
async function withCoreGroup(
  ctx: StepContext,
  recipe: ImageRecipe,
  repositories: string[],
  env: Record<string, string>,
): Promise<ImageRecipe> {
  if (recipe.noCore || recipe.packages.includes('@core') || recipe.excludedPackages.includes('@core')) {
    return recipe;
  }
  const { stdout } = await ctx.run('dnf', ['-q', ...repositories, 'group', 'info', 'core'], {
    env,
    onLine: () => {},
  });
  if (!/^Group: /m.test(stdout)) {
    ctx.log('the repositories have no core group: none added');
    return recipe;
  }
  ctx.log('adding group @core, as Anaconda does unless %packages --nocore');
  return { ...recipe, packages: ['@core', ...recipe.packages] };
}

/** Resolves and downloads the closure on the host (no package code runs), verified against each repo's key. */
export async function fetchRpmClosure(
  ctx: StepContext,
  recipe: ImageRecipe,
  places: SandboxPlaces,
  keys: RepoKeys,
  hostWorkDir: string,
): Promise<number> {
  for (const repo of recipe.sources) {
    if (repo.kind === 'rpm' && !keys.has(repo)) {
      ctx.log(`repository ${repo.name} is unsigned: its packages are not verified`);
    }
  }
  const destdir = handedRpms(places);
  await mkdir(destdir, { recursive: true });
  const scratch = join(hostWorkDir, 'dnf-resolve');
  await mkdir(scratch, { recursive: true });
  const cacheDir = join(hostWorkDir, 'dnf-cache');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: await dnfHome(hostWorkDir),
    LANG: 'C.UTF-8',
  };
  const selection = await withCoreGroup(ctx, recipe, repositoryArgs(recipe, keys, scratch, cacheDir), env);
  await ctx.run('dnf', downloadArgs(selection, keys, scratch, cacheDir, destdir), { env });
  const rpms = (await readdir(destdir)).filter((file) => file.endsWith('.rpm'));
  ctx.log(`dnf chose ${rpms.length} packages`);
  return rpms.length;
}

/** Installs the downloaded packages into the image root, in the sandbox, offline. */
export async function installRpmRoot(ctx: StepContext, recipe: ImageRecipe, places: SandboxPlaces) {
  const given = handedRpms(places);
  const rpms = (await readdir(given)).filter((file) => file.endsWith('.rpm')).sort();
  const home = await dnfHome(places.inputs, recipe.installLangs);
  let done = 0;
  await onHost(
    ctx,
    places,
    [
      'dnf',
      '-y',
      `--installroot=${places.root}`,
      '--releasever=1',
      '--setopt=reposdir=/dev/null',
      '--setopt=cachedir=/tmp/dnf-cache',
      '--disablerepo=*',
      // The host checked every signature when it downloaded them into this read-only folder.
      '--nogpgcheck',
      ...(recipe.excludeDocs ? ['--setopt=tsflags=nodocs'] : []),
      'install',
      ...rpms.map((file) => join(given, file)),
    ],
    {
      binds: [{ path: places.inputs }, { path: places.root, writable: true }],
      chroot: { path: places.root, proc: true, sys: true },
      etc: ['/etc/passwd', '/etc/group'],
      caps: capabilities.imageAdmin,
      env: { HOME: home, LANG: 'C.UTF-8' },
      onLine: (line) => {
        ctx.log(line);
        if (/^\s+Installing\s+:/.test(line)) ctx.packages(++done, rpms.length);
      },
    },
  );
}

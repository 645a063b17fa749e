// An rpm root: dnf --installroot from the recipe's rpm repositories, in the sandbox (rpm's scriptlets run
// there, as the root of the build's user namespace). Debian's rpm keeps its database in ~/.rpmdb unless told
// otherwise, so dnf runs with a HOME whose .rpmmacros points it to Fedora's location. A repository with a
// signing key is checked (gpgcheck); one without is installed unverified, and the log says so.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImageRecipe, PackageSource, RpmRepo } from './recipe.ts';
import type { StepContext } from './runner.ts';
import { capabilities, onHost, type SandboxPlaces } from './sandbox.ts';

export const rpmDbPath = '/usr/lib/sysimage/rpm';

/** The signing keys of the recipe's repositories, as files in the sandbox's inputs. */
export type RepoKeys = ReadonlyMap<PackageSource, string>;

export async function bootstrapRpmRoot(
  ctx: StepContext,
  recipe: ImageRecipe,
  places: SandboxPlaces,
  keys: RepoKeys,
): Promise<void> {
  const home = join(places.inputs, 'dnf-home');
  await mkdir(home, { recursive: true });
  await writeFile(join(home, '.rpmmacros'), `%_dbpath ${rpmDbPath}\n`);
  const repos = recipe.sources.filter((s): s is RpmRepo => s.kind === 'rpm');
  const checks = repos.flatMap((repo) => {
    const key = keys.get(repo);
    if (!key) {
      ctx.log(`repository ${repo.name} is unsigned: its packages are not verified`);
      return [`--setopt=${repo.name}.gpgcheck=0`];
    }
    return [`--setopt=${repo.name}.gpgcheck=1`, `--setopt=${repo.name}.gpgkey=file://${key}`];
  });
  // A local repository is read in place, read-only; a remote one needs the sandbox's network.
  const local = repos.filter((repo) => repo.url.startsWith('file:')).map((repo) => fileURLToPath(repo.url));
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
      '--setopt=install_weak_deps=False',
      ...repos.flatMap((r) => [`--repofrompath=${r.name},${r.url}`, `--repo=${r.name}`]),
      ...checks,
      ...recipe.excludedPackages.map((p) => `--exclude=${p}`),
      'install',
      ...recipe.packages,
    ],
    {
      binds: [
        { path: places.inputs },
        { path: places.root, writable: true },
        ...local.map((path) => ({ path })),
      ],
      // No /proc: rpm would fail to set the owner of the filesystem package's /proc on it.
      chroot: { path: places.root, proc: false },
      etc: ['/etc/passwd', '/etc/group', '/etc/ssl/certs', '/etc/ca-certificates', '/etc/pki'],
      caps: capabilities.imageAdmin,
      network: repos.some((repo) => !repo.url.startsWith('file:')),
      env: { HOME: home, LANG: 'C.UTF-8' },
    },
  );
}

// An rpm root: dnf --installroot from the recipe's rpm repositories. Debian's rpm keeps its database in
// ~/.rpmdb unless told otherwise, so dnf runs with a HOME whose .rpmmacros points it to Fedora's location.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageRecipe, RpmRepo } from './recipe.ts';
import type { StepContext } from './runner.ts';

export const rpmDbPath = '/usr/lib/sysimage/rpm';

export async function bootstrapRpmRoot(ctx: StepContext, recipe: ImageRecipe, root: string, workDir: string) {
  const home = join(workDir, 'dnf-home');
  await mkdir(home, { recursive: true });
  await mkdir(root, { recursive: true });
  await writeFile(join(home, '.rpmmacros'), `%_dbpath ${rpmDbPath}\n`);
  const repos = recipe.sources.filter((s): s is RpmRepo => s.kind === 'rpm');
  await ctx.run(
    'dnf',
    [
      '-y',
      `--installroot=${root}`,
      '--releasever=1',
      '--setopt=reposdir=/dev/null',
      `--setopt=cachedir=${join(workDir, 'dnf-cache')}`,
      '--setopt=install_weak_deps=False',
      '--nogpgcheck',
      ...repos.flatMap((r) => [`--repofrompath=${r.name},${r.url}`, `--repo=${r.name}`]),
      ...recipe.excludedPackages.map((p) => `--exclude=${p}`),
      'install',
      ...recipe.packages,
    ],
    { env: { ...process.env, HOME: home } },
  );
}

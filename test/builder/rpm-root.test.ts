// An rpm root from a repository made in the test: rpmbuild → createrepo_c → the builder's dnf --installroot.
// No rpm distribution mirror is reachable here, so a local repo is the only rpm source there is.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createNativeBuilder } from '../../src/builder/builder.ts';
import { run } from '../../src/builder/exec.ts';
import { baseRecipe, type RpmRepo } from '../../src/builder/recipe.ts';
import { downloadArgs, repoOptions } from '../../src/builder/rpm-root.ts';

function spec(name: string, requires: string[]): string {
  return `Name: ${name}
Version: 1.0
Release: 1
BuildArch: noarch
License: MIT
Summary: imger test package ${name}
${requires.map((r) => `Requires: ${r}`).join('\n')}
%description
Test package.
%install
mkdir -p %{buildroot}/usr/share/imgtest
echo ${name} > %{buildroot}/usr/share/imgtest/${name}.txt
%post -p <lua>
-- Lua needs no shell in the empty root.
io.open("/usr/share/imgtest/${name}.post", "w"):write("post ran\\n")
%files
/usr/share/imgtest/${name}.txt
`;
}

test('builds an rpm root from a local repository, dependencies resolved by dnf', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'imger-rpm-'));
  after(() => rm(dir, { recursive: true, force: true }));
  // The sandbox's uid reads the repository in place and works below this folder.
  await chmod(dir, 0o755);
  const top = join(dir, 'rpmbuild');
  await mkdir(join(top, 'SPECS'), { recursive: true });
  for (const [name, requires] of [
    ['imgtest-base', []],
    ['imgtest-app', ['imgtest-base']],
  ] as const) {
    await writeFile(join(top, 'SPECS', `${name}.spec`), spec(name, [...requires]));
    await run('rpmbuild', ['--define', `_topdir ${top}`, '-bb', join(top, 'SPECS', `${name}.spec`)]);
  }
  const repo = join(dir, 'repo');
  await mkdir(repo);
  for (const rpm of await readdir(join(top, 'RPMS/noarch'))) {
    await writeFile(join(repo, rpm), await readFile(join(top, 'RPMS/noarch', rpm)));
  }
  await run('createrepo_c', ['-q', repo]);

  const outputDir = join(dir, 'out');
  const workRoot = join(dir, 'work');
  const builder = createNativeBuilder({ cacheDir: join(dir, 'cache'), workRoot });
  const outcome = await builder.build({
    recipe: {
      ...baseRecipe('fs', 'x86_64', 'rpmroot', outputDir),
      sources: [{ kind: 'rpm', name: 'local', url: pathToFileURL(repo).href }],
      packages: ['imgtest-app'],
    },
  });
  if (!outcome.ok) assert.fail(JSON.stringify(outcome.failure));
  const listing = (await run('tar', ['-I', 'zstd', '-tf', join(outputDir, 'rpmroot.tar.zst')])).stdout;
  assert.match(listing, /\.\/usr\/share\/imgtest\/imgtest-app\.txt/);
  assert.match(listing, /\.\/usr\/share\/imgtest\/imgtest-base\.txt/);
  assert.match(listing, /\.\/usr\/share\/imgtest\/imgtest-base\.post/);
  const log = await readFile(join(outputDir, 'rpmroot.log'), 'utf8');
  assert.match(log, /repository local is unsigned: its packages are not verified/);
  const packages = await readFile(join(outputDir, 'rpmroot.packages'), 'utf8');
  assert.match(packages, /^imgtest-app-1\.0-1\.noarch$/m);
  assert.match(packages, /^imgtest-base-1\.0-1\.noarch$/m);
  assert.deepEqual(await readdir(workRoot), []);
});

test("a repository's options and the package names reach dnf as arguments of their own, never as options", () => {
  const hostile: RpmRepo = {
    kind: 'rpm',
    name: 'fedora',
    url: 'http://mirror.example/os,--setopt=reposdir=/etc/yum.repos.d --installroot=/',
    cost: 5,
    includePkgs: ['bash', 'kernel*'],
    excludePkgs: ['x --nogpgcheck'],
    proxy: 'http://proxy.example:3128 --setopt=gpgcheck=0',
  };
  const recipe = {
    ...baseRecipe('fs', 'x86_64', 'r', '/out'),
    sources: [hostile],
    packages: ['--installroot=/', '-y', 'bash'],
    excludedPackages: ['--nogpgcheck'],
  };
  const args = downloadArgs(recipe, new Map(), '/scratch', '/cache', '/dest');
  // Every user value sits inside an argument that starts with the option it belongs to.
  assert.ok(args.includes(`--repofrompath=fedora,${hostile.url}`));
  assert.ok(args.includes('--setopt=fedora.cost=5'));
  assert.ok(args.includes('--setopt=fedora.includepkgs=bash,kernel*'));
  assert.ok(args.includes('--setopt=fedora.excludepkgs=x --nogpgcheck'));
  assert.ok(args.includes(`--setopt=fedora.proxy=${hostile.proxy}`));
  assert.ok(args.includes('--exclude=--nogpgcheck'));
  assert.ok(args.includes('--setopt=fedora.gpgcheck=0'), 'unsigned, and said so in the log by the caller');
  // The names come after `--`, so dnf reads none of them as an option.
  const end = args.indexOf('--');
  assert.deepEqual(args.slice(end + 1), ['--installroot=/', '-y', 'bash']);
  assert.equal(args.filter((arg) => arg.startsWith('--installroot=')).length, 2);
  assert.equal(args.filter((arg) => arg === '--installroot=/scratch').length, 1);
  assert.ok(!args.slice(0, end).includes('--nogpgcheck'));
});

test('a repository by mirror list or metalink: the list given to dnf, the placeholder base URL cleared', () => {
  const repo: RpmRepo = {
    kind: 'rpm',
    name: 'fedora',
    url: 'https://mirrors.example/metalink?repo=fedora',
    metalink: 'https://mirrors.example/metalink?repo=fedora',
  };
  const options = repoOptions(repo, '/keys/fedora');
  assert.deepEqual(options, [
    '--repofrompath=fedora,https://mirrors.example/metalink?repo=fedora',
    '--setopt=fedora.baseurl=',
    '--setopt=fedora.metalink=https://mirrors.example/metalink?repo=fedora',
    '--setopt=fedora.gpgcheck=1',
    '--setopt=fedora.gpgkey=file:///keys/fedora',
  ]);
});

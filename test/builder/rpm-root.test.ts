// An rpm root from a repository made in the test: rpmbuild → createrepo_c → the builder's dnf --installroot.
// No rpm distribution mirror is reachable here, so a local repo is the only rpm source there is.
import assert from 'node:assert/strict';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createNativeBuilder } from '../../src/builder/builder.ts';
import { run } from '../../src/builder/exec.ts';
import { baseRecipe, type RpmRepo } from '../../src/builder/recipe.ts';
import { downloadArgs, repoOptions } from '../../src/builder/rpm-root.ts';
import { signingKey } from './apt-repo.ts';

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

/** Builds imgtest-base and imgtest-app (which requires it) into `dir`, readable by the sandbox's uid. */
async function builtRpms(dir: string): Promise<string[]> {
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
  const rpms = join(top, 'RPMS/noarch');
  return (await readdir(rpms)).map((rpm) => join(rpms, rpm));
}

/** A repository folder of copies of `rpms`, each signed by `signer` (a GnuPG home and key name) if given. */
async function rpmRepo(
  repo: string,
  rpms: string[],
  signer?: { gnupg: string; name: string; only?: string },
): Promise<string> {
  await mkdir(repo);
  for (const rpm of rpms) {
    const copy = join(repo, basename(rpm));
    await copyFile(rpm, copy);
    if (!signer || (signer.only && !basename(rpm).startsWith(signer.only))) continue;
    await run('rpmsign', [
      ...['--define', '__gpg /usr/bin/gpg', '--define', `_gpg_name ${signer.name}`],
      ...['--define', `_gpg_path ${signer.gnupg}`],
      ...['--define', '_gpg_sign_cmd_extra_args --batch --pinentry-mode loopback --passphrase ""'],
      ...['--addsign', copy],
    ]);
  }
  await run('createrepo_c', ['-q', repo]);
  return repo;
}

test('builds an rpm root from a local repository, dependencies resolved by dnf', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'imger-rpm-'));
  after(() => rm(dir, { recursive: true, force: true }));
  const repo = await rpmRepo(join(dir, 'repo'), await builtRpms(dir));

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
  // No comps in this repository: nothing to add for Anaconda's default @core, and dnf was asked, not guessed.
  assert.match(log, /the repositories have no core group: none added/);
  const packages = await readFile(join(outputDir, 'rpmroot.packages'), 'utf8');
  assert.match(packages, /^imgtest-app-1\.0-1\.noarch$/m);
  assert.match(packages, /^imgtest-base-1\.0-1\.noarch$/m);
  assert.deepEqual(await readdir(workRoot), []);
});

test('a signed repository: its key verifies it; another key, or an unsigned package in it, fails the build', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'imger-rpm-signed-'));
  after(() => rm(dir, { recursive: true, force: true }));
  const rpms = await builtRpms(dir);
  // The keys are named by file: URL, so they live in the admin's key folder, the only one such a URL may name.
  const keyDir = join(dir, 'keys');
  await mkdir(keyDir);
  const gnupg = join(dir, 'gnupg');
  await writeFile(join(keyDir, 'right.asc'), await signingKey(gnupg, 'imger-rpm'));
  await writeFile(join(keyDir, 'other.asc'), await signingKey(join(dir, 'other'), 'someone-else'));
  const signed = await rpmRepo(join(dir, 'signed'), rpms, { gnupg, name: 'imger-rpm' });
  // imgtest-base signed, imgtest-app not.
  const mixed = await rpmRepo(join(dir, 'mixed'), rpms, { gnupg, name: 'imger-rpm', only: 'imgtest-base' });

  const builder = createNativeBuilder({
    cacheDir: join(dir, 'cache'),
    workRoot: join(dir, 'work'),
    gpgKeyDir: keyDir,
  });
  const outputDir = join(dir, 'out');
  const build = (name: string, repo: string, key: string) =>
    builder.build({
      recipe: {
        ...baseRecipe('fs', 'x86_64', name, outputDir),
        sources: [
          {
            kind: 'rpm',
            name: 'signed',
            url: pathToFileURL(repo).href,
            gpgKey: pathToFileURL(join(keyDir, key)).href,
          },
        ],
        packages: ['imgtest-app'],
      },
    });
  const log = (name: string) => readFile(join(outputDir, `${name}.log`), 'utf8');

  const verified = await build('rightkey', signed, 'right.asc');
  if (!verified.ok) assert.fail(JSON.stringify(verified.failure));
  assert.match(
    await log('rightkey'),
    /repository signed: packages are verified with the key from file:\/\/.*\/right\.asc/,
  );
  assert.doesNotMatch(await log('rightkey'), /unsigned/);
  const listing = (await run('tar', ['-I', 'zstd', '-tf', join(outputDir, 'rightkey.tar.zst')])).stdout;
  assert.match(listing, /\.\/usr\/share\/imgtest\/imgtest-app\.txt/);

  for (const [name, repo, key, packages, verdict] of [
    [
      'otherkey',
      signed,
      'other.asc',
      ['imgtest-app-1.0-1.noarch', 'imgtest-base-1.0-1.noarch'],
      /is not installed/,
    ],
    [
      'unsignedpkg',
      mixed,
      'right.asc',
      ['imgtest-app-1.0-1.noarch'],
      /Package imgtest-app-1\.0-1\.noarch\.rpm is not signed/,
    ],
  ] as const) {
    const refused = await build(name, repo, key);
    assert.ok(!refused.ok, name);
    // The repository's to fix, not the service's: named with its packages and what the check said.
    assert.equal(refused.failure.class, 'repository-unreachable', name);
    assert.equal(refused.failure.owner, 'user', name);
    assert.equal(refused.failure.step, 'bootstrap', name);
    assert.match(
      refused.failure.message,
      /^signature check failed for imgtest-app-1\.0-1\.noarch.* from repository signed: /,
    );
    assert.match(refused.failure.message, verdict);
    assert.deepEqual([...(refused.failure.details.packages ?? [])].sort(), [...packages], name);
    assert.equal(refused.failure.details.repository?.url, pathToFileURL(repo).href, name);
    assert.match(await log(name), /Error: GPG check FAILED/);
    assert.ok(!(await readdir(outputDir)).some((file) => file.startsWith(`${name}.tar`)), name);
  }
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

test('%packages options: weak dependencies as Anaconda installs them unless excluded, multilib on request', () => {
  const recipe = { ...baseRecipe('fs', 'x86_64', 'r', '/out'), packages: ['bash'] };
  const plain = downloadArgs(recipe, new Map(), '/scratch', '/cache', '/dest');
  assert.ok(plain.includes('--setopt=install_weak_deps=True'));
  assert.ok(!plain.some((arg) => arg.startsWith('--setopt=multilib_policy')));
  const asked = downloadArgs(
    { ...recipe, excludeWeakDeps: true, multilib: true },
    new Map(),
    '/scratch',
    '/cache',
    '/dest',
  );
  assert.ok(asked.includes('--setopt=install_weak_deps=False'));
  assert.ok(asked.includes('--setopt=multilib_policy=all'));
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

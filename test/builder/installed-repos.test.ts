// repo --install: what the image's /etc/yum.repos.d gets, with the key the build checked the packages with.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { installedRepoFiles } from '../../src/builder/installed-repos.ts';
import type { RpmRepo } from '../../src/builder/recipe.ts';

const dir = await mkdtemp(join(tmpdir(), 'imger-installed-repos-'));
after(() => rm(dir, { recursive: true, force: true }));

const armored = '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBF\n-----END PGP PUBLIC KEY BLOCK-----\n';

test('a repository marked --install gets a .repo file and its armored key; the others get nothing', async () => {
  const key = join(dir, 'fedora.asc');
  await writeFile(key, armored);
  const fedora: RpmRepo = {
    kind: 'rpm',
    name: 'fedora',
    url: 'https://mirrors.example/metalink?repo=fedora',
    metalink: 'https://mirrors.example/metalink?repo=fedora',
    excludePkgs: ['kernel*', 'nano'],
    install: true,
  };
  const other: RpmRepo = { kind: 'rpm', name: 'build-only', url: 'http://build.example/os' };
  const log: string[] = [];
  const files = await installedRepoFiles([fedora, other], new Map([[fedora, key]]), (line) => log.push(line));
  assert.deepEqual(files, [
    { path: '/etc/pki/rpm-gpg/RPM-GPG-KEY-imger-fedora', text: armored },
    {
      path: '/etc/yum.repos.d/fedora.repo',
      text:
        '[fedora]\nname=fedora\nmetalink=https://mirrors.example/metalink?repo=fedora\nenabled=1\n' +
        'excludepkgs=kernel*,nano\ngpgcheck=1\ngpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-imger-fedora\n',
    },
  ]);
  assert.deepEqual(log, []);
});

test('a binary key is not carried but still checked; a value with a line break adds no setting', async () => {
  const key = join(dir, 'private.gpg');
  await writeFile(key, Buffer.from([0x99, 0x01, 0x0d, 0x04]));
  const repo: RpmRepo = {
    kind: 'rpm',
    name: 'private',
    url: 'http://rpm.example/os',
    proxy: 'http://proxy.example\ngpgcheck=0',
    install: true,
  };
  const log: string[] = [];
  const files = await installedRepoFiles([repo], new Map([[repo, key]]), (line) => log.push(line));
  assert.deepEqual(files, [
    {
      path: '/etc/yum.repos.d/private.repo',
      text: '[private]\nname=private\nbaseurl=http://rpm.example/os\nenabled=1\ngpgcheck=1\n',
    },
  ]);
  assert.match(log[0]!, /repo private: its key is binary/);
});

test('a repository on the build host (file:) is not kept, as Anaconda keeps only network ones', async () => {
  const log: string[] = [];
  const local: RpmRepo = { kind: 'rpm', name: 'local', url: 'file:///srv/rpms/', install: true };
  assert.deepEqual(await installedRepoFiles([local], new Map(), (line) => log.push(line)), []);
  assert.deepEqual(log, [
    'repo local --install: file:///srv/rpms/ is not a network repository; not kept in the image',
  ]);
});

test('a repository name that is not one (a path, a section) writes nothing, whatever reached this far', async () => {
  const names = ['../../etc/passwd', 'a]\n[b', 'x/y'];
  const repos: RpmRepo[] = names.map((name) => ({
    kind: 'rpm',
    name,
    url: 'http://rpm.example/os',
    install: true,
  }));
  assert.deepEqual(await installedRepoFiles(repos, new Map(), () => {}), []);
});

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  type BaseRootInputs,
  baseRootKey,
  builderVersion,
  canonicalJson,
  pruneCached,
  pruneRoots,
  type RpmRootInputs,
  releaseDigest,
  repomdDigest,
} from '../../src/builder/cache.ts';
import { classifyFailure } from '../../src/builder/failures.ts';
import type { AptRepo, RpmRepo } from '../../src/builder/recipe.ts';
import { endlessServer } from '../kickstart/endless-server.ts';

const repo: AptRepo = {
  kind: 'apt',
  url: 'http://d.example/debian',
  suite: 'bookworm',
  components: ['main'],
};
const inputs: BaseRootInputs = {
  sources: [{ repo, releaseSha256: 'a'.repeat(64) }],
  suite: 'bookworm',
  debianArch: 'amd64',
  packages: ['sudo', 'iproute2'],
  excludedPackages: [],
  bootable: true,
  builderVersion: 'v1',
};

describe('base root cache key', () => {
  test('is a full SHA-256, independent of package order, duplicates and key order', () => {
    const key = baseRootKey(inputs);
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.equal(baseRootKey({ ...inputs, packages: ['iproute2', 'sudo', 'sudo'] }), key);
    assert.equal(canonicalJson({ b: 1, a: { d: 2, c: 3 } }), canonicalJson({ a: { c: 3, d: 2 }, b: 1 }));
  });

  test('changes with every input that shapes the root', () => {
    const key = baseRootKey(inputs);
    const variants: Partial<BaseRootInputs>[] = [
      { sources: [{ repo, releaseSha256: 'b'.repeat(64) }] },
      { sources: [{ repo: { ...repo, components: ['main', 'contrib'] }, releaseSha256: 'a'.repeat(64) }] },
      { suite: 'trixie' },
      { debianArch: 'arm64' },
      { packages: ['sudo'] },
      { excludedPackages: ['nano'] },
      { bootable: false },
      { builderVersion: 'v2' },
    ];
    for (const variant of variants)
      assert.notEqual(baseRootKey({ ...inputs, ...variant }), key, JSON.stringify(variant));
  });

  test('an rpm root key changes with every repository state, option, key and selection', () => {
    const rpmRepo: RpmRepo = { kind: 'rpm', name: 'os', url: 'http://rpm.example/os' };
    const rpmInputs: RpmRootInputs = {
      kind: 'rpm',
      sources: [{ repo: rpmRepo, repomdSha256: 'a'.repeat(64) }],
      arch: 'x86_64',
      packages: ['@core', 'kernel'],
      excludedPackages: [],
      excludeDocs: false,
      ignoreMissing: false,
      noCore: false,
      excludeWeakDeps: false,
      installLangs: null,
      multilib: false,
      bootable: true,
      live: false,
      builderVersion: 'v1',
    };
    const key = baseRootKey(rpmInputs);
    assert.equal(baseRootKey({ ...rpmInputs, packages: ['kernel', '@core'] }), key);
    const variants: Partial<RpmRootInputs>[] = [
      { sources: [{ repo: rpmRepo, repomdSha256: 'b'.repeat(64) }] },
      { sources: [{ repo: rpmRepo, repomdSha256: 'a'.repeat(64), keySha256: 'c'.repeat(64) }] },
      { sources: [{ repo: { ...rpmRepo, excludePkgs: ['nano'] }, repomdSha256: 'a'.repeat(64) }] },
      { sources: [{ repo: { ...rpmRepo, cost: 5 }, repomdSha256: 'a'.repeat(64) }] },
      { packages: ['@core'] },
      { excludedPackages: ['imgtest-extra'] },
      { excludeDocs: true },
      { ignoreMissing: true },
      { noCore: true },
      { excludeWeakDeps: true },
      { installLangs: 'de' },
      { multilib: true },
      { bootable: false },
      { live: true },
      { arch: 'i686' },
    ];
    for (const variant of variants)
      assert.notEqual(baseRootKey({ ...rpmInputs, ...variant }), key, JSON.stringify(variant));
  });

  test('the repomd.xml digest of an rpm repository, or its metalink; unreachable is classified', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imger-rpmrepo-'));
    after(() => rm(dir, { recursive: true, force: true }));
    await mkdir(join(dir, 'repodata'), { recursive: true });
    await writeFile(join(dir, 'repodata/repomd.xml'), '<repomd/>\n');
    const local: RpmRepo = { kind: 'rpm', name: 'l', url: pathToFileURL(dir).href };
    const signal = AbortSignal.timeout(10_000);
    const first = await repomdDigest(local, signal);
    assert.match(first ?? '', /^[0-9a-f]{64}$/);
    await writeFile(join(dir, 'repodata/repomd.xml'), '<repomd revision="2"/>\n');
    assert.notEqual(await repomdDigest(local, signal), first);
    await writeFile(join(dir, 'metalink.xml'), '<metalink/>\n');
    const metalink = await repomdDigest(
      { ...local, metalink: pathToFileURL(join(dir, 'metalink.xml')).href },
      signal,
    );
    assert.match(metalink, /^[0-9a-f]{64}$/);
    assert.notEqual(metalink, first);
    await assert.rejects(repomdDigest({ ...local, url: pathToFileURL(join(dir, 'none')).href }, signal), {
      name: 'RepositoryUnreachable',
    });
  });

  test('the builder version is a hash of the bootstrap code', async () => {
    assert.match(await builderVersion(), /^[0-9a-f]{64}$/);
  });

  test('the Release digest of a repository, and a classified error when it cannot be reached', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imger-repo-'));
    after(() => rm(dir, { recursive: true, force: true }));
    await mkdir(join(dir, 'dists/stable'), { recursive: true });
    await writeFile(join(dir, 'dists/stable/Release'), 'Origin: test\nDate: Sat, 29 Nov 2025 09:51:16 UTC\n');
    const local: AptRepo = {
      kind: 'apt',
      url: pathToFileURL(dir).href,
      suite: 'stable',
      components: ['main'],
    };
    const signal = new AbortController().signal;
    const release = await releaseDigest(local, signal);
    assert.match(release.sha256, /^[0-9a-f]{64}$/);
    assert.equal(release.date, Date.UTC(2025, 10, 29, 9, 51, 16) / 1000, 'its Date, for SOURCE_DATE_EPOCH');
    const error = await releaseDigest({ ...local, suite: 'missing' }, signal).catch((e) => e);
    assert.equal(classifyFailure(error, 'resolve').kind, 'repository-unreachable');
    const unreachable = await releaseDigest({ ...repo, url: 'http://127.0.0.1:9/debian' }, signal).catch(
      (e) => e,
    );
    assert.equal(classifyFailure(unreachable, 'resolve').kind, 'repository-unreachable');
  });
});

describe('base root pruning', () => {
  test('keeps the most recently used roots and any used within the hour', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imger-roots-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const now = Date.now();
    const hoursAgo = [0.1, 5, 0.5, 2, 4];
    for (const [index, hours] of hoursAgo.entries()) {
      const file = join(dir, `${index}.tar.zst`);
      await writeFile(file, '');
      const when = new Date(now - hours * 3600_000);
      await utimes(file, when, when);
    }
    await writeFile(join(dir, 'other.partial'), '');
    const pruned = await pruneRoots(dir, 1, now);
    assert.deepEqual(pruned.map((p) => p.slice(dir.length + 1)).sort(), [
      '1.tar.zst',
      '3.tar.zst',
      '4.tar.zst',
    ]);
    assert.deepEqual((await readdir(dir)).sort(), ['0.tar.zst', '2.tar.zst', 'other.partial']);
  });

  test('entries that are folders (the apt lists of a set of sources) go whole', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imger-lists-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const now = Date.now();
    for (const [index, hours] of [0.1, 3, 2].entries()) {
      const entry = join(dir, `entry-${index}`);
      await mkdir(join(entry, 'gen-1'), { recursive: true });
      await writeFile(join(entry, 'gen-1/InRelease'), '');
      const when = new Date(now - hours * 3600_000);
      await utimes(entry, when, when);
    }
    assert.deepEqual((await pruneCached(dir, '', 1, now)).sort(), [
      join(dir, 'entry-1'),
      join(dir, 'entry-2'),
    ]);
    assert.deepEqual(await readdir(dir), ['entry-0']);
  });
});

test("a repository whose InRelease streams without end is cut off, not read into the worker's memory", async () => {
  const server = await endlessServer();
  const error = await releaseDigest(
    { ...repo, url: `${server.url}/debian` },
    new AbortController().signal,
  ).catch((e) => e);
  assert.equal(classifyFailure(error, 'resolve').kind, 'repository-unreachable');
  assert.match(error.message, /larger than/);
  assert.ok(server.sent() < 64 * 2 ** 20, `the builder read ${server.sent()} bytes of an InRelease`);
});

// A build VM's base roots back into the host's cache, attacked the ways a guest taken over by a user's code
// could: a late announcement, bytes changed after it, a link, a name outside the roots, a root already there.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import {
  type BaseRootMessage,
  type BuildOrder,
  CACHE_EXPORT_FOLDER,
} from '../../../src/service/worker/child-protocol.ts';
import {
  baseRootAnnouncements,
  takeBaseRoots,
  whyNoBaseRootWriteBack,
} from '../../../src/service/worker/vm/cache-write-back.ts';
import { tempDir } from '../helpers.ts';
import { fsOrder } from './orders.ts';

const minimal = readFileSync(join(import.meta.dirname, '../../../templates/debian-minimal.ks'), 'utf8');

const order = (kickstart: string, job: Partial<BuildOrder['job']> = {}) =>
  fsOrder(kickstart, '/nowhere', { job });

test('a build from the host’s own sources without %pre may give its base root back', async () => {
  assert.equal(await whyNoBaseRootWriteBack(order(minimal)), null);
});

test('a build whose root saw user code or foreign packages gives nothing back', async () => {
  const pre = `${minimal}\n%pre\necho planted\n%end\n`;
  assert.match((await whyNoBaseRootWriteBack(order(pre))) ?? '', /%pre/);
  // The host's own archive in a suite the host does not use is someone else's choice of packages too.
  const foreign = [
    'repo --name=other --baseurl=http://127.0.0.1:9/debian --suite=bookworm',
    'repo --name=near --baseurl=http://deb.debian.org/debian --suite=trixie',
  ];
  for (const line of foreign) {
    assert.match(
      (await whyNoBaseRootWriteBack(order(`${line}\n${minimal}`))) ?? '',
      /not one of the host’s own/,
      line,
    );
  }
  assert.match(
    (await whyNoBaseRootWriteBack(
      order(minimal, { extra_repos: ['http://127.0.0.1:9/debian bookworm main'] }),
    )) ?? '',
    /not one of the host’s own/,
  );
  // An rpm repository, and one whose kind only a request would tell: the host asks nothing of it.
  for (const line of [
    'repo --name=f --baseurl=http://127.0.0.1:9/fedora --type=rpm',
    'repo --name=u --baseurl=http://127.0.0.1:9/unknown',
  ]) {
    assert.match(
      (await whyNoBaseRootWriteBack(order(`${line}\n${minimal}`))) ?? '',
      /not an apt source of the host’s own/,
      line,
    );
  }
  // The host's own archive and suite, verified with the kickstart's key instead of the admin's.
  const keyed =
    'repo --name=k --baseurl=http://deb.debian.org/debian --suite=bookworm --gpgkey=https://127.0.0.1:9/k.asc';
  assert.match(
    (await whyNoBaseRootWriteBack(order(`${keyed}\n${minimal}`))) ?? '',
    /key of the kickstart’s own/,
  );
  assert.match((await whyNoBaseRootWriteBack({ ...order(minimal), builder: 'mic' })) ?? '', /mic/);
});

const announcement = (inCache: string, bytes: Buffer): BaseRootMessage => ({
  type: 'base-root',
  inCache,
  size: bytes.length,
  sha256: createHash('sha256').update(bytes).digest('hex'),
});
const rootName = (n: number) => `roots/${String(n).repeat(64)}.tar.zst`;

test('only announcements made before the first step after the bootstrap are kept', () => {
  const heard = baseRootAnnouncements();
  const early = announcement(rootName(1), Buffer.from('a'));
  assert.equal(heard.hear({ type: 'log', step: 'resolve', line: 'x' }), 'other');
  assert.equal(heard.hear(early), 'kept');
  assert.equal(heard.hear({ type: 'step-finished', step: 'bootstrap', ms: 1 }), 'other');
  // A log line without a step says nothing of where the build is.
  assert.equal(heard.hear({ type: 'log', line: 'y' }), 'other');
  assert.equal(heard.hear(announcement(rootName(2), Buffer.from('b'))), 'kept');
  const steps = ['resolve', 'bootstrap', 'packages'] as const;
  heard.hear({ type: 'progress', step: 'packages', index: 3, total: 3, steps: [...steps] });
  assert.equal(heard.hear(announcement(rootName(3), Buffer.from('c'))), 'late');
  // Nothing the guest sends later opens it again.
  heard.hear({ type: 'log', step: 'bootstrap', line: 'z' });
  assert.equal(heard.hear(announcement(rootName(4), Buffer.from('d'))), 'late');
  assert.deepEqual(
    heard.announced.map((root) => root.inCache),
    [rootName(1), rootName(2)],
  );
});

test('the host takes an announced root only with the bytes announced, under a root’s name, never over one', async (t) => {
  const share = tempDir(t);
  const cache = tempDir(t);
  const outside = join(tempDir(t), 'secret');
  await writeFile(outside, 'host secret');
  const put = async (inCache: string, bytes: Buffer | string) => {
    const path = join(share, CACHE_EXPORT_FOLDER, inCache);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
    return path;
  };
  const good = Buffer.from('a good root');
  // As qemu stores a guest's file: 0600.
  await chmod(await put(rootName(1), good), 0o600);
  const changed = Buffer.from('announced bytes');
  await put(rootName(2), 'changed bytes!!');
  const linked = Buffer.from('host secret');
  await symlink(outside, join(share, CACHE_EXPORT_FOLDER, rootName(3)));
  const existing = Buffer.from('a new root');
  await put(rootName(4), existing);
  await mkdir(join(cache, 'roots'), { recursive: true });
  await writeFile(join(cache, rootName(4)), 'the cache’s own root');
  const elsewhere = Buffer.from('a deb');
  await put('debs/by-sha256/x.deb', elsewhere);
  await put('roots/../../escape.tar.zst', elsewhere);
  const lines: string[] = [];
  await takeBaseRoots(
    share,
    cache,
    [
      announcement(rootName(1), good),
      announcement(rootName(2), changed),
      announcement(rootName(3), linked),
      announcement(rootName(4), existing),
      announcement('debs/by-sha256/x.deb', elsewhere),
      announcement('roots/../../escape.tar.zst', elsewhere),
      // Announced, never written.
      announcement(rootName(5), good),
    ],
    (line) => lines.push(line),
  );
  assert.deepEqual(await readFile(join(cache, rootName(1))), good);
  assert.equal((await stat(join(cache, rootName(1)))).mode & 0o777, 0o644);
  assert.deepEqual(
    (await readdir(join(cache, 'roots'))).sort(),
    [rootName(1), rootName(4)].map((n) => n.slice(6)).sort(),
  );
  assert.equal(await readFile(join(cache, rootName(4)), 'utf8'), 'the cache’s own root');
  assert.deepEqual(await readdir(cache), ['roots']);
  assert.equal(await readFile(outside, 'utf8'), 'host secret');
  const refusals = lines.filter((line) => line.includes('not taken'));
  assert.equal(refusals.length, 5, lines.join('\n'));
  assert.ok(
    lines.some((line) => line.includes(`stored the base root it made as ${join(cache, rootName(1))}`)),
  );
});

test('two builds bringing the same root at once store it once, whole, and leave nothing else', async (t) => {
  const cache = tempDir(t);
  const shares = [tempDir(t), tempDir(t)];
  const bytes = Buffer.alloc(4 * 1024 * 1024, 7);
  for (const share of shares) {
    await mkdir(join(share, CACHE_EXPORT_FOLDER, 'roots'), { recursive: true });
    await writeFile(join(share, CACHE_EXPORT_FOLDER, rootName(6)), bytes);
  }
  const lines: string[] = [];
  await Promise.all(
    shares.map((share) =>
      takeBaseRoots(share, cache, [announcement(rootName(6), bytes)], (l) => lines.push(l)),
    ),
  );
  assert.deepEqual(await readdir(join(cache, 'roots')), [rootName(6).slice(6)]);
  assert.deepEqual(await readFile(join(cache, rootName(6))), bytes);
  assert.equal(lines.filter((line) => line.includes('not taken')).length, 0, lines.join('\n'));
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { digestFile, isFileDigest } from '../../src/builder/file-digest.ts';

test('digestFile gives the size and the SHA-256 sha256sum gives, holes included', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'imger-digest-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'sparse.img');
  const file = await open(path, 'w');
  // Data across a block boundary of the reader (4 MiB), and a hole up to 21 MiB.
  await file.write(Buffer.alloc(5 * 2 ** 20 + 7, 'x'), 0, undefined, 3 * 2 ** 20);
  await file.truncate(21 * 2 ** 20 + 3);
  await file.close();
  const digest = await digestFile(path);
  assert.equal(digest.size, 21 * 2 ** 20 + 3);
  assert.equal(digest.sha256, execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0]);
  assert.ok(isFileDigest(digest));

  const link = join(dir, 'link');
  await symlink(path, link);
  await assert.rejects(digestFile(link), /ELOOP/, 'a symlink is not followed');
  await assert.rejects(digestFile(path, AbortSignal.abort(new Error('stop'))), /stop/);
});

/** Bytes this process has read through read(2) so far (the digest thread's reads included). */
async function bytesRead(): Promise<number> {
  return Number(/^rchar: (\d+)$/m.exec(await readFile('/proc/self/io', 'utf8'))?.[1]);
}

test('only the data of a sparse file is read; its holes are hashed as zeros, wherever they are', async (t) => {
  const MiB = 2 ** 20;
  // The disk (ext4 here) and RAM (tmpfs): holes are found on both.
  for (const base of [tmpdir(), '/dev/shm']) {
    const dir = await mkdtemp(join(base, 'imger-digest-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const cases: Record<string, { size: number; data: [number, number][] }> = {
      'data, hole, data, hole': {
        size: 96 * MiB + 5,
        data: [
          [0, 3],
          [40 * MiB + 1, MiB],
        ],
      },
      'a hole, then data to the end': { size: 64 * MiB, data: [[63 * MiB, MiB]] },
      'all hole': { size: 64 * MiB, data: [] },
      'no hole': { size: 3 * MiB + 1, data: [[0, 3 * MiB + 1]] },
      empty: { size: 0, data: [] },
    };
    for (const [name, { size, data }] of Object.entries(cases)) {
      const path = join(dir, name.replaceAll(/\W+/g, '-'));
      const file = await open(path, 'w');
      for (const [at, length] of data) await file.write(Buffer.alloc(length, name), 0, length, at);
      await file.truncate(size);
      await file.close();
      const before = await bytesRead();
      const digest = await digestFile(path);
      const read = (await bytesRead()) - before;
      const dataBytes = data.reduce((sum, [, length]) => sum + length, 0);
      assert.equal(digest.size, size, `${base}: ${name}`);
      const expected = execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0];
      assert.equal(digest.sha256, expected, `${base}: ${name}`);
      // Data is read in whole filesystem blocks; a hole is never read.
      assert.ok(read <= dataBytes + 8 * MiB, `${base}: ${name}: ${read} bytes read for ${dataBytes} of data`);
    }
  }
});

test('a descriptor keeps its offset; what is not a regular file, or changes while hashed, gets no digest', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'imger-digest-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'sparse.img');
  const file = await open(path, 'w+');
  await file.write(Buffer.alloc(4096, 'y'), 0, 4096, 32 * 2 ** 20);
  await file.read(Buffer.alloc(10), 0, 10, null);
  const before = await file.read(Buffer.alloc(1), 0, 1, null);
  const digest = await digestFile({ fd: file.fd });
  assert.equal(digest.sha256, execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0]);
  // Read on from where the caller was: xfs_io's seeking moved another description's offset, not this one's.
  const next = await file.read(Buffer.alloc(1), 0, 1, null);
  assert.equal(before.bytesRead, 1);
  assert.equal(next.bytesRead, 1);
  await file.close();

  await assert.rejects(digestFile('/dev/zero'), /not a regular file/);
  // /proc's files claim to be regular and empty, then read as more: refused either way.
  await assert.rejects(digestFile('/proc/self/status'), /not a regular file|changed while it was hashed/);

  // Written to while it is hashed: at the first progress report, with most of a 1 GiB hole still to hash.
  const growing = join(dir, 'growing.img');
  const handle = await open(growing, 'w');
  t.after(() => handle.close());
  await handle.truncate(2 ** 30);
  let written: Promise<unknown> | undefined;
  const hashing = digestFile(growing, undefined, () => {
    written ??= handle.write(Buffer.alloc(1, 'z'), 0, 1, 2 ** 29);
  });
  await assert.rejects(hashing, /changed while it was hashed/);
  assert.ok(written, 'the write was made while the file was hashed');
});

test('a digest from another process is checked before use', () => {
  const good = { size: 3, sha256: 'a'.repeat(64), mtimeMs: 1.5 };
  assert.ok(isFileDigest(good));
  for (const bad of [
    null,
    'x',
    { ...good, size: -1 },
    { ...good, size: 1.5 },
    { ...good, sha256: 'A'.repeat(64) },
    { ...good, sha256: `${'a'.repeat(63)}\n` },
    { ...good, mtimeMs: 'now' },
  ]) {
    assert.ok(!isFileDigest(bad), JSON.stringify(bad));
  }
});

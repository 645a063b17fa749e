import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rm, symlink } from 'node:fs/promises';
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

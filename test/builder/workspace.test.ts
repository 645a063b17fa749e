import assert from 'node:assert/strict';
import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { defaultWorkRoot } from '../../src/builder/workspace.ts';

const TMPFS_MAGIC = 0x01021994;

test('an admin’s TMPDIR is where work folders go', async (t) => {
  const before = process.env.TMPDIR;
  t.after(() => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
  });
  process.env.TMPDIR = '/var/tmp/somewhere-chosen';
  assert.equal(await defaultWorkRoot(), '/var/tmp/somewhere-chosen');
});

test('without TMPDIR, RAM only when it is a tmpfs with plenty of room, else the temporary folder', async (t) => {
  const before = process.env.TMPDIR;
  t.after(() => {
    if (before !== undefined) process.env.TMPDIR = before;
  });
  delete process.env.TMPDIR;
  const root = await defaultWorkRoot();
  if (root === '/dev/shm') {
    const space = await statfs(root);
    assert.equal(space.type, TMPFS_MAGIC);
    assert.ok(space.bavail * space.bsize >= 16 * 2 ** 30, 'at least 16 GiB free');
  } else {
    assert.equal(root, tmpdir());
  }
});

// Out of space, early: a build that would not fit fails before any work, as out-of-space, naming the folder
// and the figures; a RAM folder without room for the build is passed over for the disk.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { createNativeBuilder } from '../../src/builder/builder.ts';
import { run } from '../../src/builder/exec.ts';
import type { ImageType } from '../../src/builder/image-types.ts';
import { estimateSpace } from '../../src/builder/space-needs.ts';
import { defaultWorkRoot } from '../../src/builder/workspace.ts';
import { minimalRecipe } from './fixtures.ts';

const skip = process.getuid?.() === 0 ? false : 'mounting a tmpfs needs root';

async function folder(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'imger-space-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A tmpfs of the given size (no memory is used until files are written), for this test only. */
async function tmpfs(t: TestContext, size: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'imger-space-tmpfs-'));
  await run('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  t.after(async () => {
    await run('umount', [dir]);
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

async function buildInto(t: TestContext, type: ImageType, workRoot: string, outputDir: string) {
  const builder = createNativeBuilder({ cacheDir: await folder(t), workRoot });
  return builder.build({ recipe: await minimalRecipe(type, outputDir) });
}

test('a work folder too small fails the build as out-of-space before any work, naming it and the figures', {
  skip,
}, async (t) => {
  const small = await tmpfs(t, '64m');
  const outputDir = await folder(t);
  const outcome = await buildInto(t, 'raw', small, outputDir);
  assert.equal(outcome.ok, false);
  if (outcome.ok) return;
  assert.equal(outcome.failure.class, 'out-of-space');
  assert.equal(outcome.failure.step, 'resolve');
  assert.match(
    outcome.failure.message,
    new RegExp(`work folder of a raw image in ${small}: 0\\.06 GiB free`),
  );
  assert.match(outcome.failure.message, /GiB needed/);
  assert.deepEqual(await readdir(small), [], 'no work folder was made');
  assert.deepEqual(await readdir(outputDir), [], 'no staging folder or log was made');
});

test('an output folder (base_dir) too small fails the same way, naming it', { skip }, async (t) => {
  const small = await tmpfs(t, '64m');
  const outcome = await buildInto(t, 'qcow2', await folder(t), join(small, 'job'));
  assert.equal(outcome.ok, false);
  if (outcome.ok) return;
  assert.equal(outcome.failure.class, 'out-of-space');
  assert.match(outcome.failure.message, new RegExp(`qcow2 image in ${small}/job: 0\\.06 GiB free`));
});

test('two folders on one filesystem need the sum of their needs', { skip }, async (t) => {
  const recipe = await minimalRecipe('raw', '/unused');
  const { workBytes, outputBytes } = estimateSpace(recipe);
  // Room for either, not for both.
  const shared = await tmpfs(t, `${Math.ceil(Math.max(workBytes, outputBytes) / 2 ** 20) + 16}m`);
  const outcome = await buildInto(t, 'raw', join(shared, 'work'), join(shared, 'out'));
  assert.equal(outcome.ok, false);
  if (!outcome.ok) assert.equal(outcome.failure.class, 'out-of-space');
});

test('a RAM folder without room for what the build needs is passed over for the disk', {
  skip,
}, async (t) => {
  const saved = process.env.TMPDIR;
  delete process.env.TMPDIR;
  t.after(() => {
    if (saved !== undefined) process.env.TMPDIR = saved;
  });
  // 17 GiB of tmpfs costs nothing until written; 18 GiB is more than it holds, whatever the machine's memory.
  const ram = await tmpfs(t, '17g');
  assert.equal(await defaultWorkRoot(18 * 2 ** 30, ram), tmpdir());
});

test('the estimate grows with the partitions and the steps an image type takes', async () => {
  const raw = await minimalRecipe('raw', '/unused');
  const bigger = {
    ...raw,
    partitions: [{ mountpoint: '/' as const, sizeMiB: 8192, grow: false, fstype: 'ext4' as const }],
  };
  assert.ok(estimateSpace(bigger).workBytes > estimateSpace(raw).workBytes);
  const fs = estimateSpace({ ...raw, type: 'fs' });
  const qcow2 = estimateSpace({ ...raw, type: 'qcow2' });
  assert.ok(fs.workBytes < estimateSpace(raw).workBytes);
  assert.ok(qcow2.workBytes > estimateSpace(raw).workBytes);
});

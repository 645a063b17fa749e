// Slow: a cold bootstrap (mmdebstrap, about a minute here), then the same build warm.
// The real build child with a build VM's order (exportBaseRoots), run here rather than in a VM (the guest runs
// this same child; under TCG a cold bootstrap is a quarter of an hour): each base root it makes is copied into
// the share and announced, with its bytes, before any step after the bootstrap; a root from the cache is not.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultCacheDir } from '../../../src/builder/cache.ts';
import { run } from '../../../src/builder/exec.ts';
import {
  type BuildOrder,
  CACHE_EXPORT_FOLDER,
  type ChildMessage,
  parseChildLine,
} from '../../../src/service/worker/child-protocol.ts';
import { BUILD_CHILD, entryArgs } from '../../../src/service/worker/run-build.ts';
import { tempDir } from '../helpers.ts';
import { validKickstart } from '../jobs/fixtures.ts';
import { fsOrder } from './orders.ts';

const skip = process.getuid?.() === 0 ? false : 'the native builder runs as root';
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function buildChild(order: BuildOrder): Promise<ChildMessage[]> {
  const messages: ChildMessage[] = [];
  await run(process.execPath, entryArgs(BUILD_CHILD), {
    cwd: order.outputDir,
    input: JSON.stringify(order),
    onLine: (line, stream) => {
      const message = stream === 'stdout' ? parseChildLine(line) : null;
      if (message) messages.push(message);
    },
  });
  return messages;
}

test('a build VM’s child announces each base root it made, with its bytes, before the steps after the bootstrap', {
  skip,
}, async (t) => {
  // An exclusion of a package that exists nowhere: a base root key of this run's own, so the cache has no root.
  const kickstart = validKickstart.replace('%end', `-imger-absent-${randomUUID().slice(0, 8)}\n%end`);
  const order = (outputDir: string) =>
    fsOrder(kickstart, outputDir, { job: { name: 'roots' }, exportBaseRoots: true });

  const cold = order(tempDir(t));
  const messages = await buildChild(cold);
  const result = messages.find((message) => message.type === 'result');
  assert.equal(result?.ok, true, JSON.stringify(result));
  const roots = messages.filter((message) => message.type === 'base-root');
  assert.equal(roots.length, 1);
  const [root] = roots;
  assert.ok(root);
  t.after(() => rm(join(defaultCacheDir, root.inCache), { force: true }));
  assert.match(root.inCache, /^roots\/[0-9a-f]{64}\.tar\.zst$/);
  const exported = join(cold.outputDir, CACHE_EXPORT_FOLDER, root.inCache);
  assert.equal(sha256(exported), root.sha256);
  assert.equal(readFileSync(exported).length, root.size);
  assert.equal(sha256(join(defaultCacheDir, root.inCache)), root.sha256);
  const announcedAt = messages.indexOf(root);
  const firstLater = messages.findIndex(
    (message) =>
      'step' in message && message.step !== undefined && !['resolve', 'bootstrap'].includes(message.step),
  );
  assert.ok(firstLater > announcedAt, 'announced before the first event of a step after the bootstrap');

  // The same build again takes the root from the cache, and announces nothing.
  const warm = await buildChild(order(tempDir(t)));
  assert.equal(warm.find((message) => message.type === 'result')?.ok, true);
  assert.deepEqual(
    warm.filter((message) => message.type === 'base-root'),
    [],
  );
});

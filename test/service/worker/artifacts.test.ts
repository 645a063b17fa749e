import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { collectArtifacts } from '../../../src/service/worker/artifacts.ts';
import { tempDir } from '../helpers.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

test("the worker takes the builder's digest of a file unchanged since, and hashes anything else", async (t) => {
  const folder = tempDir(t);
  for (const name of ['image.raw', 'changed.raw', 'forged.raw', 'added.txt']) {
    await writeFile(join(folder, name), `content of ${name}`);
  }
  const reported = async (name: string, sha: string) => {
    const { size, mtimeMs } = await stat(join(folder, name));
    return { size, sha256: sha, mtimeMs };
  };
  // A digest that differs from the content shows that the file was not read again.
  const known = {
    'image.raw': await reported('image.raw', 'b'.repeat(64)),
    'changed.raw': await reported('changed.raw', 'c'.repeat(64)),
    'forged.raw': { ...(await reported('forged.raw', 'd'.repeat(64))), size: '19' },
  };
  // Rewritten after the build (post_creation), same size: only its time tells.
  await utimes(join(folder, 'changed.raw'), new Date(), new Date(Date.now() + 5000));
  const artifacts = await collectArtifacts(folder, 'image.raw', known);
  const byName = Object.fromEntries(artifacts.map((artifact) => [artifact.name, artifact]));
  assert.equal(byName['image.raw']?.sha256, 'b'.repeat(64));
  assert.equal(byName['image.raw']?.main, true);
  assert.equal(byName['changed.raw']?.sha256, sha256('content of changed.raw'));
  assert.equal(byName['forged.raw']?.sha256, sha256('content of forged.raw'));
  assert.equal(byName['added.txt']?.sha256, sha256('content of added.txt'));
  assert.equal(byName['added.txt']?.size, 'content of added.txt'.length);
});

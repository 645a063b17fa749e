import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeKickstarterFiles } from '../../../src/kickstart/kickstarter/index.ts';

describe('writeKickstarterFiles', async () => {
  const outDir = await mkdtemp(join(tmpdir(), 'img-kickstarter-out-'));
  after(() => rm(outDir, { recursive: true }));

  it('writes each file, creating its Baseline folder', async () => {
    const result = await writeKickstarterFiles(
      [
        { path: 'top.ks', name: 'Top', text: 'lang C\n' },
        { path: '1.0/nested.ks', name: 'Nested', text: 'lang C.UTF-8\n' },
      ],
      outDir,
    );
    assert.deepEqual(result, {
      written: [join(outDir, 'top.ks'), join(outDir, '1.0/nested.ks')],
      errors: [],
    });
    assert.equal(await readFile(join(outDir, '1.0/nested.ks'), 'utf8'), 'lang C.UTF-8\n');
  });

  it('refuses a path that leaves the output folder and still writes the others', async () => {
    const result = await writeKickstarterFiles(
      [
        { path: '../escape.ks', name: 'Escape', text: '' },
        { path: 'kept.ks', name: 'Kept', text: '' },
      ],
      outDir,
    );
    assert.deepEqual(result.written, [join(outDir, 'kept.ks')]);
    assert.deepEqual(result.errors, [
      { file: '../escape.ks', message: `refusing to write outside ${outDir}` },
    ]);
  });
});

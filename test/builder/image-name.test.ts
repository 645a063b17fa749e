// The image name becomes file names (NAME.raw, NAME.log, the staging folder .imger-NAME-…) in the output folder:
// a name that is a path, a hidden name, an option or a line break is refused before the builder makes anything.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createNativeBuilder } from '../../src/builder/builder.ts';
import { minimalRecipe } from './fixtures.ts';

const top = await mkdtemp(join(tmpdir(), 'imger-image-name-'));
after(() => rm(top, { recursive: true, force: true }));

test('an image name that is a path, hidden, an option or holds a line break is refused before anything is made', async () => {
  const outputDir = join(top, 'jobs', 'out');
  const workRoot = join(top, 'work');
  const cacheDir = join(top, 'cache');
  const recipe = await minimalRecipe('fs', outputDir);
  const builder = createNativeBuilder({ cacheDir, workRoot });
  for (const name of ['../escape', '/etc/cron.d/imger', '.hidden', '-rf', 'two\nlines', 'a b', '']) {
    const outcome = await builder.build({ recipe: { ...recipe, name } });
    assert.equal(outcome.ok, false, JSON.stringify(name));
    if (outcome.ok) continue;
    assert.equal(outcome.failure.class, 'kickstart-error');
    assert.equal(outcome.failure.step, 'resolve');
    assert.equal(outcome.failure.message, `image name ${JSON.stringify(name)} is not a safe file name`);
  }
  assert.deepEqual(await readdir(top), [], 'no output, work or cache folder was made, nothing beside them');
});

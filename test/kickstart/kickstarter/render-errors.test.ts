import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatKickstarterError, renderKickstarter } from '../../../src/kickstart/kickstarter/index.ts';

const fixtures = new URL('../../fixtures/kickstarter/', import.meta.url).pathname;

describe('renderKickstarter errors', () => {
  it('names the file, line, key and image of each mistake, and renders nothing broken', async () => {
    const configPath = `${fixtures}broken/configurations.yaml`;
    const result = await renderKickstarter({ configPath });
    assert.deepEqual(result.files, []);
    const at = (line: number, image: string, key: string, message: string) => ({
      file: configPath,
      line,
      key,
      image,
      message,
    });
    assert.deepEqual(result.errors, [
      at(8, 'missing-script', 'PostScripts', `${fixtures}broken/scripts/nope.post does not exist`),
      at(12, 'unknown-repo', 'Repos', 'no repository named nowhere in the repos file'),
      at(16, 'unknown-platform', 'Platform', 'no top-level block named TABLET'),
      at(19, '../escape', 'FileName', 'must be a plain name, not a path: ../escape'),
      at(23, 'bad-shapes', 'Groups', "must be a list, not 'Core'"),
      at(24, 'bad-shapes', 'Active', "must be true or false, not 'maybe'"),
    ]);
  });

  it('formats an error as file:line: [image] key: message', async () => {
    const result = await renderKickstarter({
      configPath: `${fixtures}broken/configurations.yaml`,
      only: ['missing-script'],
    });
    assert.deepEqual(result.errors.map(formatKickstarterError), [
      `${fixtures}broken/configurations.yaml:8: [missing-script] PostScripts: ${fixtures}broken/scripts/nope.post does not exist`,
    ]);
  });

  it('reports a YAML syntax error with its line and renders nothing', async () => {
    const configPath = `${fixtures}syntax-error/configurations.yaml`;
    const result = await renderKickstarter({ configPath });
    assert.deepEqual(result.files, []);
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0]?.file, configPath);
    assert.equal(result.errors[0]?.line, 6);
    assert.match(result.errors[0]?.message ?? '', /^YAML error: Flow sequence .* end with a \]$/);
  });

  it('reports a configurations file that cannot be read', async () => {
    const configPath = `${fixtures}nowhere/configurations.yaml`;
    const result = await renderKickstarter({ configPath });
    assert.deepEqual(result, {
      files: [],
      errors: [{ file: configPath, message: 'cannot read: does not exist' }],
      inactive: [],
    });
  });

  it('requires a repos file given by path, but not the default one', async () => {
    const reposPath = `${fixtures}nowhere/repos.yaml`;
    const given = await renderKickstarter({ configPath: `${fixtures}configurations.yaml`, reposPath });
    assert.deepEqual(given.errors, [{ file: reposPath, message: 'cannot read: does not exist' }]);

    const folder = await mkdtemp(join(tmpdir(), 'img-kickstarter-'));
    try {
      await writeFile(join(folder, 'configurations.yaml'), 'Configurations:\n  - FileName: bare\n');
      const result = await renderKickstarter({ configPath: join(folder, 'configurations.yaml') });
      assert.deepEqual(result.errors, []);
      assert.deepEqual(
        result.files.map((file) => file.path),
        ['bare.ks'],
      );
    } finally {
      await rm(folder, { recursive: true });
    }
  });

  it('points at the ExternalConfigs entry whose folder is missing', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'img-kickstarter-'));
    try {
      const configPath = join(folder, 'configurations.yaml');
      await writeFile(configPath, 'Configurations: []\nExternalConfigs:\n  - images\n  - missing\n');
      const result = await renderKickstarter({ configPath });
      assert.deepEqual(result.errors, [
        {
          file: configPath,
          line: 3,
          key: 'ExternalConfigs',
          message: `cannot read the folder ${join(folder, 'images')}: does not exist`,
        },
        {
          file: configPath,
          line: 4,
          key: 'ExternalConfigs',
          message: `cannot read the folder ${join(folder, 'missing')}: does not exist`,
        },
      ]);
    } finally {
      await rm(folder, { recursive: true });
    }
  });
});

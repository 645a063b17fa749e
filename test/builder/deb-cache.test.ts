// The shared .deb cache is stored by content and takes only files with the hash the signed index gives: a
// trojaned file of the same size and name (what apt would take without checking) never enters it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parsePrintUris } from '../../src/builder/apt-closure.ts';
import {
  debStore,
  importIntoStore,
  removeNameKeyedDebs,
  stageFromStore,
} from '../../src/builder/deb-cache.ts';

const dir = await mkdtemp(join(tmpdir(), 'imger-debs-'));
after(() => rm(dir, { recursive: true, force: true }));

const real = Buffer.from('the real bash package');
const trojan = Buffer.from('a trojaned bash pkg!!');
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const bash = {
  file: 'bash_5.2_amd64.deb',
  size: real.length,
  sha256: sha(real),
  uri: 'http://deb/bash_5.2_amd64.deb',
};

test('apt --print-uris lines give the file, its size and SHA-256', () => {
  const line = `'${bash.uri}' ${bash.file} ${bash.size} SHA256:${bash.sha256}`;
  assert.deepEqual(parsePrintUris(`Reading package lists...\n${line}\n'x' y.deb 3 MD5Sum:abc\n`), [bash]);
});

test('a file name with a folder in it, as a hostile index could make apt print, is no file of the closure', () => {
  for (const file of ['../../etc/cron.d/x.deb', 'a/b.deb', '/tmp/x.deb', '..%2f/x.deb']) {
    assert.deepEqual(parsePrintUris(`'${bash.uri}' ${file} ${bash.size} SHA256:${bash.sha256}\n`), [], file);
  }
});

test('only the file with the indexed hash is stored; a same-size impostor, a link or a missing file are not', async () => {
  const cache = join(dir, 'cache');
  await mkdir(cache);
  // The earlier cache, keyed by name: whatever a build wrote there goes.
  await writeFile(join(cache, bash.file), trojan);
  await removeNameKeyedDebs(cache);
  assert.deepEqual(await readdir(cache), []);

  const downloads = join(dir, 'downloads');
  await mkdir(downloads);
  assert.equal(trojan.length, real.length);
  await writeFile(join(downloads, bash.file), trojan);
  const other = { ...bash, file: 'other_1_all.deb' };
  await symlink(join(downloads, bash.file), join(downloads, other.file));
  const missing = { ...bash, file: 'missing_1_all.deb', sha256: sha(Buffer.from('missing')) };
  assert.deepEqual(await importIntoStore(cache, [bash, other, missing], downloads), [bash, other, missing]);
  assert.deepEqual(await readdir(debStore(cache)), []);

  await writeFile(join(downloads, bash.file), real);
  assert.deepEqual(await importIntoStore(cache, [bash], downloads), []);
  assert.deepEqual(await readdir(debStore(cache)), [`${bash.sha256}.deb`]);

  const staged = join(dir, 'staged');
  assert.deepEqual(await stageFromStore(cache, [bash, missing], staged), [missing]);
  assert.deepEqual(await readFile(join(staged, bash.file)), real);
});

// A kickstarter folder sent as a tar is hostile input: it is read in memory only, and every way a tar can
// point outside its folder, at something other than a plain file, or at too much data, refuses it by name.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { MAX_KICKSTARTER_TAR_BYTES, readKickstarterTar } from '../../../src/service/api/kickstarter-tar.ts';
import { MAX_KICKSTART_BYTES } from '../../../src/service/api/submission.ts';
import { ServiceError } from '../../../src/service/errors.ts';
import { type TarEntry as Entry, tarOf } from './tar-of.ts';

const folder: Entry[] = [
  { name: 'configurations.yaml', content: 'Configurations:\n  - FileName: a\n' },
  { name: 'repos.yaml', content: 'Repositories: []\n' },
  { name: 'scripts/', type: 'directory' },
  { name: 'scripts/setup.post', content: 'echo hi\n' },
  { name: 'partitions/n900', content: 'part / --size=10\n' },
  { name: 'README', content: 'not for the renderer' },
];

async function refusal(entries: Entry[] | Buffer): Promise<ServiceError> {
  const tar = Buffer.isBuffer(entries) ? entries : await tarOf(entries);
  const error = await readKickstarterTar(tar).then(
    () => assert.fail('the tar is refused'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ServiceError, String(error));
  return error;
}

describe('a kickstarter folder as a tar', () => {
  it('gives its YAML and its scripts and partitions, gzip-compressed or not, at the top or in one folder', async () => {
    const expected = {
      configurations: 'Configurations:\n  - FileName: a\n',
      repos: 'Repositories: []\n',
      files: { 'scripts/setup.post': 'echo hi\n', 'partitions/n900': 'part / --size=10\n' },
    };
    assert.deepEqual(await readKickstarterTar(await tarOf(folder)), expected);
    assert.deepEqual(await readKickstarterTar(gzipSync(await tarOf(folder))), expected);
    const inFolder = folder.map((entry) => ({ ...entry, name: `./device-configs/${entry.name}` }));
    assert.deepEqual(await readKickstarterTar(await tarOf(inFolder)), expected);
  });

  it('reads a tar made by GNU tar, and refuses one with a symlink in it', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'img-kickstarter-tar-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const configs = join(dir, 'configs');
    mkdirSync(join(configs, 'scripts'), { recursive: true });
    writeFileSync(join(configs, 'configurations.yaml'), 'Configurations: []\n');
    writeFileSync(join(configs, 'scripts', 'setup.post'), 'echo gnu\n');
    const made = execFileSync('tar', ['-c', '-C', dir, 'configs']);
    assert.deepEqual(await readKickstarterTar(made), {
      configurations: 'Configurations: []\n',
      files: { 'scripts/setup.post': 'echo gnu\n' },
    });
    const fromInside = execFileSync('tar', ['-cz', '-C', configs, '.']);
    assert.deepEqual((await readKickstarterTar(fromInside)).files, { 'scripts/setup.post': 'echo gnu\n' });
    symlinkSync('/etc/shadow', join(configs, 'scripts', 'steal.post'));
    const linked = await refusal(execFileSync('tar', ['-c', '-C', dir, 'configs']));
    assert.equal(linked.code, 'bad-request');
    assert.match(linked.message, /"configs\/scripts\/steal\.post" is a symlink: only plain files are read/);
  });

  it('refuses paths outside the folder, links and devices, naming the entry', async () => {
    const cases: [Entry, RegExp][] = [
      [{ name: '../configurations.yaml', content: 'x' }, /"\.\.\/configurations\.yaml" names a path outside/],
      [{ name: '/etc/cron.d/evil', content: 'x' }, /"\/etc\/cron\.d\/evil" names a path outside/],
      [{ name: 'scripts/../../x', content: 'x' }, /names a path outside/],
      [{ name: 'scripts//setup.post', content: 'x' }, /names a path outside/],
      [{ name: 'scripts\\setup.post', content: 'x' }, /names a path outside/],
      [
        { name: 'scripts/steal.post', type: 'symlink', linkname: '/etc/shadow' },
        /"scripts\/steal\.post" is a symlink/,
      ],
      [{ name: 'scripts/hard.post', type: 'link', linkname: 'configurations.yaml' }, /is a link/],
      [
        { name: 'partitions/null', type: 'character-device', devmajor: 1, devminor: 3 },
        /is a character-device/,
      ],
      [{ name: 'partitions/sda', type: 'block-device', devmajor: 8, devminor: 0 }, /is a block-device/],
      [{ name: 'scripts/pipe', type: 'fifo' }, /is a fifo/],
      [
        { name: 'scripts/deep/setup.post', content: 'x' },
        /"scripts\/deep\/setup\.post" is not a kickstarter file/,
      ],
      [{ name: 'scripts/.hidden', content: 'x' }, /is not a kickstarter file/],
    ];
    for (const [entry, message] of cases) {
      const error = await refusal([...folder, entry]);
      assert.equal(error.code, 'bad-request', entry.name);
      assert.match(error.message, message, entry.name);
    }
  });

  it('refuses too many entries, a file too large, a gzip bomb, bytes that are no tar, and text that is no UTF-8', async () => {
    const many = Array.from({ length: 500 }, (_, index) => ({ name: `notes/n${index}`, content: '' }));
    assert.match((await refusal([...folder, ...many])).message, /more than \d+ entries/);
    const big = await refusal([
      ...folder,
      { name: 'scripts/big.post', content: Buffer.alloc(MAX_KICKSTART_BYTES + 1) },
    ]);
    assert.equal(big.code, 'too-large');
    const bomb = gzipSync(Buffer.alloc(3 * MAX_KICKSTARTER_TAR_BYTES));
    assert.ok(bomb.length < 100_000, 'a small upload');
    assert.equal((await refusal(bomb)).code, 'too-large');
    assert.match(
      (await refusal(Buffer.from('configurations.yaml\n'.repeat(100)))).message,
      /the tar cannot be read/,
    );
    const latin1 = await refusal([{ name: 'scripts/setup.post', content: Buffer.from([0x63, 0xe9, 0x0a]) }]);
    assert.match(latin1.message, /scripts\/setup\.post: is not valid UTF-8/);
  });
});

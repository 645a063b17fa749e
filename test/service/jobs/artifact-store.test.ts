import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type TestContext, test } from 'node:test';
import { ServiceError } from '../../../src/service/errors.ts';
import { createLocalArtifactStore, localJobFolder } from '../../../src/service/jobs/artifact-store.ts';
import { tempDir } from '../helpers.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const job = { id: '01JOB', queue: 'default', owner: 'alice', name: 'img' };
/** A file as its job recorded it when DONE. */
const recorded = (name: string, text: string) => ({
  name,
  size: Buffer.byteLength(text),
  sha256: sha256(text),
});

function setUp(t: TestContext) {
  const dir = tempDir(t);
  const baseDir = join(dir, 'images');
  const outside = join(dir, 'outside');
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'secret'), 'not a job file');
  return { baseDir, outside, store: createLocalArtifactStore(baseDir) };
}

async function readAll(stream: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

test("the store takes the builder's digest of a file unchanged since, and hashes anything else", async (t) => {
  const { store } = setUp(t);
  const folder = await store.workFolder(job);
  for (const name of ['image.raw', 'changed.raw', 'forged.raw', 'added.txt']) {
    await writeFile(join(folder, name), `content of ${name}`);
  }
  const reported = async (name: string, sha: string) => {
    const { size, mtimeMs } = await stat(join(folder, name));
    return { size, sha256: sha, mtimeMs };
  };
  // A digest that differs from the content shows that the file was not read again.
  const digests = {
    'image.raw': await reported('image.raw', 'b'.repeat(64)),
    'changed.raw': await reported('changed.raw', 'c'.repeat(64)),
    'forged.raw': { ...(await reported('forged.raw', 'd'.repeat(64))), size: '19' },
  };
  // Rewritten after the build (post_creation), same size: only its time tells.
  await utimes(join(folder, 'changed.raw'), new Date(), new Date(Date.now() + 5000));
  const artifacts = await store.list(job, { main: 'image.raw', digests });
  const byName = Object.fromEntries(artifacts.map((artifact) => [artifact.name, artifact]));
  assert.deepEqual(Object.keys(byName), ['added.txt', 'changed.raw', 'forged.raw', 'image.raw']);
  assert.equal(byName['image.raw']?.sha256, 'b'.repeat(64));
  assert.equal(byName['image.raw']?.main, true);
  assert.equal(byName['changed.raw']?.sha256, sha256('content of changed.raw'));
  assert.equal(byName['forged.raw']?.sha256, sha256('content of forged.raw'));
  assert.equal(byName['added.txt']?.sha256, sha256('content of added.txt'));
  assert.equal(byName['added.txt']?.size, 'content of added.txt'.length);
});

test('a file is served whole or by range, and closed when not streamed', async (t) => {
  const { store } = setUp(t);
  const folder = await store.workFolder(job);
  mkdirSync(join(folder, 'sub'));
  await writeFile(join(folder, 'sub', 'image.raw'), '0123456789');
  const whole = await store.open(job, 'sub/image.raw');
  assert.equal(whole?.size, 10);
  assert.equal(await readAll(whole!.stream()), '0123456789');
  const part = await store.open(job, 'sub/image.raw');
  assert.equal(await readAll(part!.stream({ start: 2, end: 4 })), '234');
  const unread = await store.open(job, 'sub/image.raw');
  await unread?.close();
  assert.equal(await store.open(job, 'missing.raw'), null);
  assert.equal(await store.open({ ...job, id: 'NOJOB' }, 'sub/image.raw'), null);
});

test('hostile names reach no file outside the job, nor a dot file or a folder inside it', async (t) => {
  const { store, outside } = setUp(t);
  const folder = await store.workFolder(job);
  await writeFile(join(folder, '.staged'), 'a staging leftover');
  mkdirSync(join(folder, 'dir'));
  for (const name of [
    '../../../../outside/secret',
    '..',
    '.',
    '',
    `${outside}/secret`,
    '/etc/passwd',
    'dir',
    'dir/',
    '.staged',
    'a\0b',
    'a\nb',
    'dir/../../secret',
  ]) {
    assert.equal(await store.open(job, name), null, JSON.stringify(name));
    assert.equal(await store.describe(job, name), null, JSON.stringify(name));
  }
  for (const part of ['..', '.', 'a/b', 'a\0b', '']) {
    await assert.rejects(store.workFolder({ ...job, owner: part }), /cannot name a job's folder/);
    await assert.rejects(store.remove({ ...job, queue: part }), /cannot name a job's folder/);
  }
  assert.equal(existsSync(join(outside, 'secret')), true);
});

test('links planted in a job folder are not followed on list, open or delete', async (t) => {
  const { store, outside, baseDir } = setUp(t);
  const folder = await store.workFolder(job);
  await writeFile(join(folder, 'image.raw'), 'the image');
  symlinkSync(join(outside, 'secret'), join(folder, 'leak.raw'));
  symlinkSync(outside, join(folder, 'leakdir'));
  symlinkSync('/etc', join(folder, 'etc'));

  const listed = await store.list(job);
  assert.deepEqual(
    listed.map((artifact) => artifact.name),
    ['image.raw'],
  );
  for (const name of ['leak.raw', 'leakdir/secret', 'etc/passwd']) {
    assert.equal(await store.open(job, name), null, name);
  }
  // A folder swapped for a link after the build: nothing of its target is listed or served.
  const other = { ...job, id: '01OTHER' };
  mkdirSync(join(baseDir, 'default', 'alice'), { recursive: true });
  symlinkSync(outside, localJobFolder(baseDir, other));
  assert.deepEqual(await store.list(other), []);

  await store.remove(job);
  await store.remove(other);
  assert.equal(existsSync(folder), false);
  assert.equal(existsSync(localJobFolder(baseDir, other)), false);
  assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'not a job file');
  assert.ok(existsSync('/etc/passwd'));
  await store.remove(job);
});

test('a received file is kept only whole and matching, and never through a link', async (t) => {
  const { store, outside } = setUp(t);
  const folder = await store.workFolder(job);
  const receive = (name: string, text: string, sha = sha256(text)) =>
    store.receive(job, name, Readable.from([Buffer.from(text)]), {
      sha256: sha,
      maxBytes: 1024,
      beforeRename: async () => {},
    });
  assert.deepEqual(await receive('sub/image.raw', 'sent'), {
    name: 'sub/image.raw',
    size: 4,
    sha256: sha256('sent'),
    main: false,
  });
  assert.equal(readFileSync(join(folder, 'sub', 'image.raw'), 'utf8'), 'sent');
  await assert.rejects(receive('bad.raw', 'sent', 'e'.repeat(64)), /arrived with sha256/);
  assert.equal(existsSync(join(folder, 'bad.raw')), false);

  symlinkSync(outside, join(folder, 'link'));
  for (const name of ['link/planted', '../escape', 'a\0b', '.hidden', '/abs']) {
    await assert.rejects(receive(name, 'x'), (error: unknown) => {
      assert.ok(error instanceof ServiceError, String(error));
      assert.equal(error.code, 'bad-request');
      return true;
    });
  }
  assert.equal(existsSync(join(outside, 'planted')), false);
  assert.equal(existsSync(join(folder, '..', 'escape')), false);
});

test('the live log is written at offsets and read back through the store', async (t) => {
  const { store } = setUp(t);
  assert.equal(await store.writeLog(job, 0, Buffer.from('one\n')), 4);
  assert.equal(await store.writeLog(job, 4, Buffer.from('two\n')), 8);
  const log = await store.open(job, 'img.log');
  assert.equal(await readAll(log!.stream()), 'one\ntwo\n');
});

test('a job folder swapped for a link takes no upload or log chunk into its target', async (t) => {
  const { store, outside, baseDir } = setUp(t);
  mkdirSync(join(baseDir, 'default', 'alice'), { recursive: true });
  symlinkSync(outside, localJobFolder(baseDir, job));
  const text = 'planted';
  await assert.rejects(
    store.receive(job, 'planted.raw', Readable.from([Buffer.from(text)]), {
      sha256: sha256(text),
      maxBytes: 1024,
      beforeRename: async () => {},
    }),
    (error: unknown) => error instanceof ServiceError && error.code === 'bad-request',
  );
  await assert.rejects(store.writeLog(job, 0, Buffer.from('log line\n')), ServiceError);
  assert.equal(existsSync(join(outside, 'planted.raw')), false);
  assert.equal(existsSync(join(outside, 'img.log')), false);
  assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'not a job file');
});

test('a link planted as the live log is refused, never written through', async (t) => {
  const { store, outside } = setUp(t);
  const folder = await store.workFolder(job);
  symlinkSync(join(outside, 'secret'), join(folder, 'img.log'));
  await assert.rejects(store.writeLog(job, 0, Buffer.from('log line\n')), ServiceError);
  assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'not a job file');
});

test('a name longer than the disk allows, counted in UTF-8 bytes, is refused as bad input', async (t) => {
  const { store } = setUp(t);
  await store.workFolder(job);
  // 200 characters but 400 bytes: over the 255 bytes a name may have on Linux filesystems.
  for (const name of [`${'é'.repeat(200)}.raw`, `${'é'.repeat(200)}/image.raw`]) {
    await assert.rejects(
      store.receive(job, name, Readable.from([Buffer.from('x')]), {
        sha256: sha256('x'),
        maxBytes: 1024,
        beforeRename: async () => {},
      }),
      (error: unknown) => error instanceof ServiceError && error.code === 'bad-request',
      name.slice(-12),
    );
  }
});

test('shared files are hard links: deleting either job leaves the other’s whole', async (t) => {
  const { store } = setUp(t);
  const other = { ...job, id: '02JOB', owner: 'bob' };
  const folder = await store.workFolder(job);
  mkdirSync(join(folder, 'sub'));
  writeFileSync(join(folder, 'img.raw'), 'the image');
  writeFileSync(join(folder, 'sub', 'part'), 'a part');
  assert.equal(
    await store.share(job, other, [recorded('img.raw', 'the image'), recorded('sub/part', 'a part')]),
    true,
  );
  const linked = join(await store.workFolder(other), 'img.raw');
  assert.equal((await stat(linked)).ino, (await stat(join(folder, 'img.raw'))).ino);
  await store.remove(job);
  assert.equal(readFileSync(linked, 'utf8'), 'the image');
  assert.deepEqual(
    (await store.list(other)).map((artifact) => [artifact.name, artifact.sha256]),
    [
      ['img.raw', sha256('the image')],
      ['sub/part', sha256('a part')],
    ],
  );
});

test('sharing links no link, no file outside the job and no hostile name, and leaves nothing half-shared', async (t) => {
  const { store, outside, baseDir } = setUp(t);
  const other = { ...job, id: '02JOB', owner: 'bob' };
  const folder = await store.workFolder(job);
  writeFileSync(join(folder, 'img.raw'), 'the image');
  symlinkSync(join(outside, 'secret'), join(folder, 'leak.raw'));
  symlinkSync(outside, join(folder, 'leakdir'));
  for (const names of [
    ['img.raw', 'leak.raw'],
    ['img.raw', 'leakdir/secret'],
    ['img.raw', '../../../outside/secret'],
    ['img.raw', 'gone.raw'],
  ]) {
    const files = names.map((name) => recorded(name, name === 'img.raw' ? 'the image' : 'secret'));
    assert.equal(await store.share(job, other, files), false, names.join(' '));
    assert.deepEqual(await store.list(other), [], `nothing of ${names.join(' ')} is left`);
  }
  // A job folder that is a link shares nothing.
  const planted = { ...job, id: '03JOB' };
  symlinkSync(outside, localJobFolder(baseDir, planted));
  assert.equal(await store.share(planted, other, [recorded('secret', 'secret')]), false);
});

test('a file changed since its job recorded it is not shared: the sharer would get other bytes under the recorded digest', async (t) => {
  const { store } = setUp(t);
  const other = { ...job, id: '02JOB', owner: 'bob' };
  const folder = await store.workFolder(job);
  for (const now of ['the imagE', 'the image, and more']) {
    // Replaced by a new file (a rename over it) or rewritten in place: either way not what was recorded.
    writeFileSync(join(folder, 'img.raw'), now);
    writeFileSync(join(folder, 'img.ks'), 'ks');
    assert.equal(
      await store.share(job, other, [recorded('img.ks', 'ks'), recorded('img.raw', 'the image')]),
      false,
      now,
    );
    assert.deepEqual(await store.list(other), [], 'nothing is left half-shared');
  }
});

// What the host takes out of IMG_OUT_DIR, attacked as a script would leave it.
import assert from 'node:assert/strict';
import { watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { takeRegularFiles } from '../../src/builder/out-folder.ts';

const dir = await mkdtemp(join(tmpdir(), 'imger-out-folder-'));
after(() => rm(dir, { recursive: true, force: true }));

test('a stopped build stops the copy: a sparse file of a size no disk holds is not copied on regardless', async () => {
  const from = join(dir, 'out');
  const to = join(dir, 'stage');
  await mkdir(from);
  await mkdir(to);
  // Nothing on disk, 512 MiB to read: `truncate -s 100T "$IMG_OUT_DIR/x"` in a script, scaled down.
  await writeFile(join(from, 'sparse'), '');
  await truncate(join(from, 'sparse'), 512 * 2 ** 20);
  const stopped = new AbortController();
  // The step times out while the copy runs: as soon as the copy's file appears in the output.
  const watcher = watch(to, () => stopped.abort(new Error('the step timed out')));
  after(() => watcher.close());
  await assert.rejects(
    takeRegularFiles(from, to, new Set(), () => {}, stopped.signal),
    /timed out/,
  );
  assert.deepEqual(await readdir(to), [], 'nothing half-copied is left in the output');
});

test('a name with a line break or a control character is not taken: it would forge SHA256SUMS lines and log lines', async () => {
  const from = join(dir, 'names-out');
  const to = join(dir, 'names-stage');
  await mkdir(from);
  await mkdir(to);
  const forged = `x\n${'0'.repeat(64)}  image.raw`;
  for (const name of [forged, 'bell\x07', 'escape\x1b[2J', 'carriage\rreturn', 'report.txt']) {
    await writeFile(join(from, name), 'made by a script\n');
  }
  const lines: string[] = [];
  const taken = await takeRegularFiles(
    from,
    to,
    new Set(),
    (line) => lines.push(line),
    new AbortController().signal,
  );
  assert.deepEqual(taken, ['report.txt']);
  assert.deepEqual(await readdir(to), ['report.txt']);
  assert.equal(lines.length, 4);
  for (const line of lines) {
    const control = [...line].find((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
    assert.equal(control, undefined, `a log line stays one line: ${JSON.stringify(line)}`);
  }
});

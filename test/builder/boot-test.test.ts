import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { bootTest } from '../../src/builder/boot-test.ts';

const dir = await mkdtemp(join(tmpdir(), 'imger-boottest-'));
after(() => rm(dir, { recursive: true, force: true }));

async function qemuRunning(): Promise<boolean> {
  for (const pid of (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('qemu-system') && cmdline.includes(dir)) return true;
  }
  return false;
}

test('a disk that does not boot is a FAIL at the timeout, with qemu stopped', async () => {
  const disk = join(dir, 'blank.raw');
  await writeFile(disk, Buffer.alloc(1024 * 1024));
  const result = await bootTest(disk, { firmware: 'bios', timeoutS: 4 });
  assert.equal(result.pass, false);
  assert.match(result.reason, /no login prompt within 4 s/);
  assert.ok(result.ms >= 4000);
  assert.equal(await qemuRunning(), false);
});

test('an image it cannot tell how to boot is refused', async () => {
  await assert.rejects(
    bootTest(join(dir, 'image.tar'), { firmware: 'bios', timeoutS: 4 }),
    /unknown extension \.tar/,
  );
});

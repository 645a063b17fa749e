import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { installGrubBios } from '../../src/builder/grub-bios.ts';

const dir = await mkdtemp(join(tmpdir(), 'imger-grub-'));
after(() => rm(dir, { recursive: true, force: true }));

test('places boot.img and core.img the way grub-bios-setup would, keeping the partition table', async () => {
  const disk = join(dir, 'disk.raw');
  const table = randomBytes(72);
  const image = Buffer.alloc(4 * 1024 * 1024);
  table.copy(image, 440);
  await writeFile(disk, image);
  const core = join(dir, 'core.img');
  await writeFile(core, randomBytes(3 * 512 - 100));

  await installGrubBios(disk, core, 2048, 2048);

  const written = await readFile(disk);
  const bootImg = await readFile('/usr/lib/grub/i386-pc/boot.img');
  assert.equal(written.readBigUInt64LE(0x5c), 2048n, 'boot.img loads core.img from the BIOS boot partition');
  assert.deepEqual([...written.subarray(0x66, 0x68)], [0x90, 0x90], 'drive check patched out');
  assert.deepEqual(written.subarray(0, 0x5c), bootImg.subarray(0, 0x5c));
  assert.deepEqual(written.subarray(440, 512), table, 'disk signature and partition table untouched');
  const placed = written.subarray(2048 * 512, 2048 * 512 + 512);
  assert.equal(placed.readBigUInt64LE(0x200 - 12), 2049n, 'the rest of core.img follows its first sector');
  assert.equal(placed.readUInt16LE(0x200 - 4), 2, 'and is two sectors long');
});

test('refuses a core.img larger than the BIOS boot partition', async () => {
  const disk = join(dir, 'small.raw');
  await writeFile(disk, Buffer.alloc(1024 * 1024));
  const core = join(dir, 'big-core.img');
  await writeFile(core, randomBytes(5 * 512));
  await assert.rejects(installGrubBios(disk, core, 34, 4), /needs 5 sectors; the BIOS boot partition has 4/);
  const handle = await open(disk, 'r');
  const first = Buffer.alloc(512);
  await handle.read(first, 0, 512, 0);
  await handle.close();
  assert.ok(
    first.every((byte) => byte === 0),
    'nothing written',
  );
});

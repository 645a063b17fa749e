// Filesystem images from a folder, for every fstype a part line may name: identity as planned, content in.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { chown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { run } from '../../src/builder/exec.ts';
import { makeFilesystem } from '../../src/builder/filesystems.ts';
import type { FsType } from '../../src/builder/recipe.ts';
import { runSteps } from '../../src/builder/runner.ts';
import { mountsBelow } from '../../src/builder/workspace.ts';

const dir = await mkdtemp(join(tmpdir(), 'imger-fs-'));
after(() => rm(dir, { recursive: true, force: true }));
const content = join(dir, 'content');
await mkdir(join(content, 'etc'), { recursive: true });
await writeFile(join(content, 'etc/marker'), 'in the image\n');
await chown(join(content, 'etc/marker'), 1000, 1000);
await symlink('etc/marker', join(content, 'link'));

/** Lists a filesystem image's /etc without mounting it, with the tool of its type. */
const listEtc: Record<string, (image: string) => Promise<string>> = {
  ext4: async (image) => (await run('debugfs', ['-R', 'ls -l /etc', image])).stdout,
  xfs: async (image) => (await run('xfs_db', ['-r', '-c', 'ls /etc', image])).stdout,
  btrfs: async (image) => {
    const restored = await mkdtemp(join(dir, 'restored-'));
    await run('btrfs', ['restore', image, restored]);
    return (await run('ls', ['-l', join(restored, 'etc')])).stdout;
  },
  vfat: async (image) => (await run('mdir', ['-i', image, '::/etc'])).stdout,
};

for (const fstype of ['ext4', 'xfs', 'btrfs', 'vfat'] as const satisfies readonly FsType[]) {
  test(`${fstype}: made from a folder with the planned label and UUID`, async () => {
    const image = join(dir, `${fstype}.img`);
    const uuid = fstype === 'vfat' ? '1234-ABCD' : randomUUID();
    await runSteps(
      [
        {
          name: 'filesystem',
          timeoutMs: 60_000,
          run: (ctx) =>
            makeFilesystem(
              ctx,
              { mountpoint: '/', fstype, uuid, label: 'imgtest', minMiB: 0 },
              content,
              image,
              320,
            ),
        },
      ],
      {},
      { deadlineMs: 60_000 },
    );
    const probe = (await run('blkid', ['-o', 'export', image])).stdout;
    assert.match(probe, new RegExp(`^TYPE=${fstype}$`, 'm'));
    assert.match(probe, new RegExp(`^UUID=${uuid}$`, 'mi'));
    assert.match(probe, /^LABEL=imgtest$/im);
    assert.match((await listEtc[fstype]!(image)).toLowerCase(), /marker/);
    assert.deepEqual(await mountsBelow(dir), []);
  });
}

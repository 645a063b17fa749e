// Filesystem images of an image tree, for every fstype a part line may name: identity as planned, content in,
// with the image's own owners (the tree is read in the sandbox's user namespace).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { chmod, lchown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { run } from '../../src/builder/exec.ts';
import { makeTreeFilesystem } from '../../src/builder/filesystems.ts';
import type { FsType } from '../../src/builder/recipe.ts';
import { runSteps } from '../../src/builder/runner.ts';
import { defaultIdBase } from '../../src/builder/sandbox.ts';
import { mountsBelow, prepareSandboxPlaces } from '../../src/builder/workspace.ts';

const dir = await mkdtemp(join(tmpdir(), 'imger-fs-'));
after(() => rm(dir, { recursive: true, force: true }));
await chmod(dir, 0o755);
await mkdir(join(dir, 'work'));
const places = await prepareSandboxPlaces(join(dir, 'work'), defaultIdBase);
const content = places.root;
await mkdir(join(content, 'etc'), { recursive: true });
await writeFile(join(content, 'etc/marker'), 'in the image\n');
await symlink('etc/marker', join(content, 'link'));
// As a package would leave them inside the namespace: root's files and a user's.
await lchown(join(content, 'etc'), defaultIdBase, defaultIdBase);
await lchown(join(content, 'link'), defaultIdBase, defaultIdBase);
await lchown(join(content, 'etc/marker'), defaultIdBase + 1000, defaultIdBase + 1000);

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
    let image = '';
    const uuid = fstype === 'vfat' ? '1234-ABCD' : randomUUID();
    await runSteps(
      [
        {
          name: 'filesystem',
          timeoutMs: 60_000,
          run: async (ctx) => {
            image = await makeTreeFilesystem(
              ctx,
              { mountpoint: '/', fstype, uuid, label: 'imgtest', minMiB: 0 },
              { places, dir: '/' },
              `${fstype}.img`,
              320,
            );
          },
        },
      ],
      {},
      { deadlineMs: 60_000 },
    );
    const probe = (await run('blkid', ['-o', 'export', image])).stdout;
    assert.match(probe, new RegExp(`^TYPE=${fstype}$`, 'm'));
    assert.match(probe, new RegExp(`^UUID=${uuid}$`, 'mi'));
    assert.match(probe, /^LABEL=imgtest$/im);
    const listing = await listEtc[fstype]!(image);
    assert.match(listing.toLowerCase(), /marker/);
    // The image's own owner, not the host's idBase + 1000.
    if (fstype === 'ext4') assert.match(listing, /100644 \(1\)\s+1000\s+1000\s.*marker/);
    if (fstype === 'xfs') {
      const inode = await run('xfs_db', ['-r', '-c', 'path /etc/marker', '-c', 'print core.uid', image]);
      assert.match(inode.stdout, /core\.uid = 1000$/m);
    }
    assert.deepEqual(await mountsBelow(dir), []);
  });
}

test('a /boot a package turned into a link (boot -> /etc) is refused, not followed', async () => {
  await symlink('/etc', join(content, 'boot'));
  await lchown(join(content, 'boot'), defaultIdBase, defaultIdBase);
  const error = await runSteps(
    [
      {
        name: 'filesystem',
        timeoutMs: 60_000,
        run: async (ctx) => {
          await makeTreeFilesystem(
            ctx,
            { mountpoint: '/boot', fstype: 'ext4', uuid: randomUUID(), label: 'boot', minMiB: 0 },
            { places, dir: '/boot' },
            'boot.img',
            64,
          );
        },
      },
    ],
    {},
    { deadlineMs: 60_000 },
  ).catch((e) => e);
  assert.match(String(error?.message), /\/boot is not a folder/);
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseArch } from '../../src/builder/arches.ts';
import { BuildFailure } from '../../src/builder/failures.ts';
import { mainArtifactName, parseImageType } from '../../src/builder/image-types.ts';
import { planLayout, renderFstab } from '../../src/builder/layout.ts';
import { needsBoot, selectPackages } from '../../src/builder/packages.ts';
import { grubConfig } from '../../src/builder/raw-disk.ts';
import { baseRecipe } from '../../src/builder/recipe.ts';

function kickstartError(action: () => unknown, message: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof BuildFailure);
    assert.equal(error.kind, 'kickstart-error');
    assert.match(error.message, message);
    return true;
  });
}

describe('image types and arches', () => {
  test('mic names for every type', () => {
    assert.equal(mainArtifactName('fs', 'n'), 'n.tar.zst');
    assert.equal(mainArtifactName('fs', 'n', 'tar.bz2'), 'n.tar.bz2');
    assert.equal(mainArtifactName('loop', 'n'), 'n.img');
    assert.equal(mainArtifactName('raw', 'n'), 'n-sda.raw');
    assert.equal(mainArtifactName('vmdk', 'n'), 'n-sda.vmdk');
    assert.equal(mainArtifactName('livecd', 'n'), 'n.iso');
    assert.equal(mainArtifactName('liveusb', 'n'), 'n.usbimg');
  });

  test('nand and mrstnand name the mic backend; unknown types list the known ones', () => {
    kickstartError(() => parseImageType('nand'), /only by the mic backend \(mic create nand\)/);
    kickstartError(() => parseImageType('floppy'), /unknown image type floppy; known types: fs, loop/);
    assert.equal(parseImageType('qcow2'), 'qcow2');
  });

  test("mic's arch names map to the arches IMG builds; others are refused before work starts", () => {
    assert.equal(parseArch('i586'), 'i686');
    assert.equal(parseArch('armv7tnhl'), 'armv7hl');
    assert.equal(parseArch('arm64'), 'aarch64');
    assert.equal(parseArch('x86_64'), 'x86_64');
    kickstartError(() => parseArch('mipsel'), /architecture mipsel cannot be built; accepted: x86_64/);
  });
});

describe('packages a recipe gets', () => {
  test('bootable images get kernel, init and initramfs tools, each logged with its reason', () => {
    const raw = { ...baseRecipe('raw', 'x86_64', 'n', '/out'), packages: ['sudo'] };
    const { packages, added } = selectPackages(raw);
    assert.ok(needsBoot(raw));
    for (const name of ['linux-image-amd64', 'systemd-sysv', 'initramfs-tools', 'zstd', 'sudo']) {
      assert.ok(packages.includes(name), name);
    }
    assert.match(added.find((a) => a.name === 'linux-image-amd64')!.reason, /kernel/);
  });

  test('a kernel the recipe names already is not added again; live images get live-boot', () => {
    const live = { ...baseRecipe('livecd', 'aarch64', 'n', '/out'), packages: ['linux-image-cloud-arm64'] };
    const { packages, added } = selectPackages(live);
    assert.ok(!packages.includes('linux-image-arm64'));
    assert.ok(added.some((a) => a.name === 'live-boot'));
  });

  test('an fs image gets only what it asked for, plus locale and zone data when it needs them', () => {
    const fs = {
      ...baseRecipe('fs', 'x86_64', 'n', '/out'),
      packages: ['sudo'],
      locale: 'de_DE.UTF-8',
      timezone: 'Europe/Berlin',
    };
    assert.deepEqual(selectPackages(fs).packages, ['locales', 'sudo', 'tzdata']);
  });
});

const seed = 'ab'.repeat(32);

describe('disk layout', () => {
  test('the identities come from the seed: the same seed gives the same UUIDs, another seed others', () => {
    const partitions = [
      { mountpoint: '/', grow: true, fstype: 'ext4' },
      { mountpoint: '/boot', grow: false, sizeMiB: 300, fstype: 'ext4' },
    ] as const;
    const layout = planLayout([...partitions], seed);
    assert.deepEqual(planLayout([...partitions], seed), layout);
    const ids = [layout.root.uuid, layout.root.hashSeed, layout.boot?.uuid, layout.esp.uuid];
    assert.equal(new Set(ids).size, ids.length, 'each filesystem and purpose its own');
    assert.match(layout.root.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const other = planLayout([...partitions], 'cd'.repeat(32));
    assert.notEqual(other.root.uuid, layout.root.uuid);
    assert.notEqual(other.esp.uuid, layout.esp.uuid);
  });

  test('defaults: a growing ext4 root and a 64 MiB ESP with a FAT volume id', () => {
    const layout = planLayout(baseRecipe('raw', 'x86_64', 'n', '/out').partitions, seed);
    assert.equal(layout.root.fstype, 'ext4');
    assert.equal(layout.root.sizeMiB, undefined);
    assert.equal(layout.esp.sizeMiB, 64);
    assert.match(layout.esp.uuid, /^[0-9A-F]{4}-[0-9A-F]{4}$/);
    assert.equal(layout.boot, undefined);
    const fstab = renderFstab(layout);
    assert.match(fstab, new RegExp(`^UUID=${layout.root.uuid} / ext4 `, 'm'));
    assert.match(fstab, new RegExp(`^UUID=${layout.esp.uuid} /boot/efi vfat `, 'm'));
    assert.doesNotMatch(renderFstab(layout, true), /boot\/efi/);
  });

  test('part lines: fixed sizes, /boot, swap, and refused filesystem types', () => {
    const layout = planLayout(
      [
        { mountpoint: '/', grow: false, sizeMiB: 3000, fstype: 'btrfs' },
        { mountpoint: '/boot', grow: false, sizeMiB: 300, fstype: 'ext4' },
        { mountpoint: 'swap', grow: false, sizeMiB: 512, fstype: 'swap' },
      ],
      seed,
    );
    assert.equal(layout.root.sizeMiB, 3000);
    assert.equal(layout.boot?.sizeMiB, 300);
    assert.equal(layout.swap?.sizeMiB, 512);
    assert.match(renderFstab(layout), /^UUID=\S+ none swap sw 0 0$/m);
    kickstartError(
      () => planLayout([{ mountpoint: '/', grow: true, fstype: 'vfat' }], seed),
      /root filesystem cannot be vfat/,
    );
    kickstartError(
      () => planLayout([{ mountpoint: '/boot/efi', grow: false, fstype: 'ext4' }], seed),
      /must be vfat/,
    );
  });

  test('grub.cfg loads the kernel and its initramfs from the root, or from the top of a separate /boot', () => {
    const input = {
      boot: { version: '6.1.0-1-amd64', initrd: 'initramfs-6.1.0-1-amd64.img' },
      append: 'console=ttyS0',
      timeoutS: 3,
      workDir: '/w',
      images: { root: '/r' },
    };
    const plain = planLayout([], seed);
    const cfg = grubConfig({ ...input, layout: plain });
    assert.match(cfg, /set timeout=3/);
    assert.match(
      cfg,
      new RegExp(`linux /boot/vmlinuz-6.1.0-1-amd64 root=UUID=${plain.root.uuid} rw console=ttyS0`),
    );
    const split = planLayout([{ mountpoint: '/boot', grow: false, sizeMiB: 300, fstype: 'ext4' }], seed);
    const splitCfg = grubConfig({ ...input, layout: split });
    assert.match(splitCfg, new RegExp(`--set=root ${split.boot!.uuid}`));
    assert.match(splitCfg, /linux \/vmlinuz-6.1.0-1-amd64 /);
    assert.match(splitCfg, /initrd \/initramfs-6.1.0-1-amd64.img$/m);
    assert.match(cfg, /initrd \/boot\/initramfs-6.1.0-1-amd64.img$/m);
  });
});

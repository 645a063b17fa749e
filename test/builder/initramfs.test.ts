import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { initramfsKey, initramfsModules, initramfsPackages } from '../../src/builder/initramfs.ts';

// dpkg-query lines as the fingerprint prints them: status, name, version, arch, "Pre-Depends, Depends", Provides.
const dpkg = [
  'installed\tinitramfs-tools-core\t0.142\tall\t, klibc-utils (>= 2.0.4-8~), kmod, udev | systemd-udev, cpio\t',
  'installed\tklibc-utils\t2.0.12-1\tamd64\t, libklibc (= 2.0.12-1)\t',
  'installed\tlibklibc\t2.0.12-1\tamd64\t, \t',
  'installed\tkmod\t30+20221128-1\tamd64\tlibc6 (>= 2.34), \t',
  'installed\tsystemd\t252.39-1~deb12u1\tamd64\tlibc6:amd64, \tsystemd-udev',
  'installed\tcpio\t2.13\tamd64\t, libc6\t',
  'installed\tlibc6\t2.36-9\tamd64\t, libgcc-s1\t',
  'installed\tlibgcc-s1\t12.2.0\tamd64\t, \t',
  'installed\tzstd\t1.5.4\tamd64\t, libc6\t',
  'installed\tvim-tiny\t9.0\tamd64\t, libc6, vim-common\t',
  'installed\tvim-common\t9.0\tall\t, \t',
  'config-files\tlinux-image-6.1.0-1-amd64\t6.1.1\tamd64\t, \t',
  'installed\tlinux-image-6.1.0-57-amd64\t6.1.158-1\tamd64\t, kmod\t',
];
const owners = ['initramfs-tools-core', 'linux-image-6.1.0-57-amd64'];

describe('initramfs cache key', () => {
  test('holds the packages the hooks, modules and compressor come from, with their dependencies, and no other', () => {
    const packages = initramfsPackages(dpkg, owners);
    assert.deepEqual(packages, [
      'cpio=2.13:amd64',
      'initramfs-tools-core=0.142:all',
      'klibc-utils=2.0.12-1:amd64',
      'kmod=30+20221128-1:amd64',
      'libc6=2.36-9:amd64',
      'libgcc-s1=12.2.0:amd64',
      'libklibc=2.0.12-1:amd64',
      'linux-image-6.1.0-57-amd64=6.1.158-1:amd64',
      // A virtual dependency (udev | systemd-udev) is met by its provider.
      'systemd=252.39-1~deb12u1:amd64',
      'zstd=1.5.4:amd64',
    ]);
    // A package nothing of the initramfs needs (the user's editor) leaves the key alone: the entry is reused.
    assert.deepEqual(
      initramfsPackages(
        dpkg.filter((line) => !line.includes('vim')),
        owners,
      ),
      packages,
    );
  });

  test('changes with any package version, source, tree digest, kernel or builder version', () => {
    const base = {
      debianArch: 'amd64',
      kernel: '6.1.0-57-amd64',
      sources: [{ url: 'http://deb.debian.org/debian', suite: 'bookworm', components: ['main'] }],
      hostSourcesOnly: true,
      packages: initramfsPackages(dpkg, owners),
      inputs: 'a'.repeat(64),
      builderVersion: 'v1',
    };
    const key = initramfsKey(base);
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.equal(initramfsKey({ ...base }), key);
    const variants = [
      { debianArch: 'arm64' },
      { kernel: '6.1.0-58-amd64' },
      // Another user's repository: an entry made with it is never read by a build without it.
      { sources: [...base.sources, { url: 'http://example.org/repo', suite: 'x', components: ['main'] }] },
      {
        packages: initramfsPackages(
          dpkg.map((line) => line.replace('kmod\t30+20221128-1', 'kmod\t31')),
          owners,
        ),
      },
      { inputs: 'b'.repeat(64) },
      { hostSourcesOnly: false },
      { builderVersion: 'v2' },
    ];
    for (const variant of variants) assert.notEqual(initramfsKey({ ...base, ...variant }), key);
  });

  test('the module list holds only plain module names (it is written into the root by a shell hook)', () => {
    for (const name of initramfsModules) assert.match(name, /^[A-Za-z0-9_]+$/);
    for (const needed of ['virtio_blk', 'ahci', 'nvme', 'ext4', 'sd_mod', 'usb_storage']) {
      assert.ok(initramfsModules.includes(needed), needed);
    }
  });
});

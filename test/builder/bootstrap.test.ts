import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { excludesPreferences, mmdebstrapArgs, packageCounter } from '../../src/builder/bootstrap.ts';

const input = {
  debianArch: 'amd64',
  suite: 'bookworm',
  sourcesFile: '/w/inputs/sources.list',
  packages: ['linux-image-amd64', 'sudo'],
  bootable: true,
  repos: [{ url: 'http://deb.debian.org/debian', suite: 'bookworm', components: ['main'] }],
  hostSourcesOnly: true,
  debCache: '/cache/debs',
  initramfsCache: '/cache/initramfs',
  listsCache: '/cache/apt-lists',
};
const places = {
  idBase: 1_000_000_000,
  root: '/w/root',
  inputs: '/w/inputs',
  out: '/w/out',
  images: '/w/images',
};

describe('mmdebstrap command line', () => {
  test('a bootable root gets no initramfs from its packages (initramfs.ts makes it); apt finds the indexes and .debs the host put in place', () => {
    const args = mmdebstrapArgs(input, places);
    assert.deepEqual(args.slice(-3), ['bookworm', '/w/root', '/w/inputs/sources.list']);
    assert.ok(args.includes('--include=linux-image-amd64,sudo'));
    assert.ok(args.includes('--skip=update'));
    // Nothing copied in by mmdebstrap (the host linked them into the root), nothing back into the shared cache.
    assert.ok(!args.some((a) => /sync-in|sync-out|\/cache\/debs/.test(a)));
    const essential = args.filter((a) => a.startsWith('--essential-hook='));
    assert.ok(
      essential.some((a) =>
        a.includes('dpkg-divert --quiet --local --rename --add /usr/sbin/update-initramfs'),
      ),
    );
    assert.ok(essential.some((a) => a.includes('COMPRESS=zstd') && a.includes('COMPRESSLEVEL=1')));
    assert.ok(essential.some((a) => a.includes('MODULES=list')));
    assert.ok(essential.some((a) => a.includes('modules.d/imger') && a.includes(' virtio_blk ')));
    const last = args.filter((a) => a.startsWith('--customize-hook=')).at(-1)!;
    assert.match(last, /--remove \/usr\/sbin\/update-initramfs$/);
    // Nothing shared is written from inside mmdebstrap.
    assert.ok(!args.some((a) => a.includes('/cache/initramfs')));
  });

  test('a root that does not boot has no initramfs handling; excludes are pinned away during install only', () => {
    const args = mmdebstrapArgs(
      { ...input, bootable: false, excludesPreferences: '/w/inputs/imger-excludes' },
      places,
    );
    assert.ok(!args.some((a) => a.includes('update-initramfs')));
    assert.ok(args.includes('--setup-hook=copy-in /w/inputs/imger-excludes /etc/apt/preferences.d/'));
    assert.ok(args.includes('--customize-hook=rm -f "$1/etc/apt/preferences.d/imger-excludes"'));
    assert.equal(
      excludesPreferences(['nano', 'vim-tiny']),
      'Package: nano\nPin: release *\nPin-Priority: -1\n\nPackage: vim-tiny\nPin: release *\nPin-Priority: -1\n',
    );
  });

  test('package progress adds up the totals of every apt run mmdebstrap makes', () => {
    const seen: string[] = [];
    const count = packageCounter((done, total) => seen.push(`${done}/${total}`));
    for (const line of [
      'Setting up early (1) ...',
      '0 upgraded, 2 newly installed, 0 to remove and 0 not upgraded.',
      'Setting up a (1) ...',
      'Setting up b (1) ...',
      '0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.',
      'Setting up c (1) ...',
    ]) {
      count(line);
    }
    assert.deepEqual(seen, ['1/2', '2/2', '3/3']);
  });
});

// Filesystem images, with no loop device and no mount where the mkfs tool can populate from a folder
// (mkfs.ext4 -d, mkfs.btrfs --rootdir) or mtools can (FAT); xfs alone needs a loop mount. An image tree is
// read inside the sandbox (sandbox.ts), in the build's user namespace, so its files keep the image's own
// owners (uid 0, not the host's idBase) and a symlink in it is stored, never followed on the host.
import { lstat, mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlannedFs } from './layout.ts';
import type { Reproducibility } from './reproducible.ts';
import { clampExt4Times, fakeTimeEnv } from './reproducible-tree.ts';
import type { StepContext } from './runner.ts';
import { capabilities, onHost, type SandboxPlaces } from './sandbox.ts';

/** A folder of the image root: the whole root, or /boot; `hide` are folders inside it seen empty. */
export interface ImageTree {
  places: SandboxPlaces;
  /** Absolute inside the image: '/' or '/boot'. */
  dir: string;
  hide?: string[];
}

function treeView(tree: ImageTree) {
  const { places } = tree;
  return {
    binds: [{ path: places.root }, { path: places.images, writable: true }],
    hidden: (tree.hide ?? []).map((dir) => join(places.root, dir)),
    etc: ['/etc/mke2fs.conf'],
    caps: capabilities.imageReader,
  };
}

function treePath(tree: ImageTree): string {
  return join(tree.places.root, tree.dir);
}

/** Room for the content plus headroom for a filesystem that is going to be used, not just read. */
export async function sizeForTree(ctx: StepContext, tree: ImageTree, planned: PlannedFs): Promise<number> {
  if (planned.sizeMiB !== undefined) return planned.sizeMiB;
  const { stdout } = await onHost(ctx, tree.places, ['du', '-s', '--block-size=1M', '-x', treePath(tree)], {
    ...treeView(tree),
    onLine: () => {},
  });
  const usedMiB = Number(stdout.split(/\s/)[0]);
  return Math.max(planned.minMiB, Math.ceil(usedMiB * 1.4) + 256);
}

/** The mkfs command for an image file, populated from `content` where the tool can (ext4, btrfs). */
function mkfsCommand(planned: PlannedFs, image: string, sizeMiB: number, content?: string): string[] {
  switch (planned.fstype) {
    case 'ext4':
      return [
        'mkfs.ext4',
        '-q',
        '-F',
        '-L',
        planned.label,
        '-U',
        planned.uuid,
        '-E',
        `root_owner=0:0${planned.hashSeed ? `,hash_seed=${planned.hashSeed}` : ''}`,
        ...(content ? ['-d', content] : []),
        image,
      ];
    case 'btrfs':
      return [
        'mkfs.btrfs',
        '-q',
        '-f',
        '-L',
        planned.label,
        '-U',
        planned.uuid,
        ...(content ? ['--rootdir', content] : []),
        image,
      ];
    case 'vfat':
      // FAT32 needs about 33 MiB of clusters; smaller images (the live ISO's EFI image) get what fits.
      return [
        'mkfs.vfat',
        ...(sizeMiB >= 64 ? ['-F', '32'] : []),
        '-n',
        planned.label.toUpperCase(),
        '-i',
        planned.uuid.replace('-', ''),
        image,
      ];
    case 'swap':
      return ['mkswap', '-L', planned.label, '-U', planned.uuid, image];
    case 'xfs':
      return ['mkfs.xfs', '-q', '-f', '-L', planned.label.slice(0, 12), '-m', `uuid=${planned.uuid}`, image];
  }
}

/** An empty filesystem image made on the host (the ESP, swap, the live ISO's EFI image). */
export async function makeFilesystem(
  ctx: StepContext,
  planned: PlannedFs,
  image: string,
  sizeMiB: number,
): Promise<void> {
  await rm(image, { force: true });
  await ctx.run('truncate', ['-s', `${sizeMiB}M`, image]);
  const [tool, ...args] = mkfsCommand(planned, image, sizeMiB);
  await ctx.run(tool!, args);
}

/**
 * Makes `name` in the sandbox's images folder: a filesystem of the image tree. The tree must be a folder,
 * not a symlink a package planted (boot -> /etc) that would lead the tool elsewhere. With `repro`, an ext4
 * image is the same bytes for the same tree (reproducible.ts).
 */
export async function makeTreeFilesystem(
  ctx: StepContext,
  planned: PlannedFs,
  tree: ImageTree,
  name: string,
  sizeMiB: number,
  repro?: Reproducibility,
): Promise<string> {
  const image = join(tree.places.images, name);
  const content = treePath(tree);
  const populate: string[] =
    planned.fstype === 'ext4' || planned.fstype === 'btrfs'
      ? mkfsCommand(planned, image, sizeMiB, content)
      : planned.fstype === 'vfat'
        ? [
            'sh',
            '-ec',
            'img=$1; src=$2; shift 2; "$@"; cd "$src"; find . -mindepth 1 -maxdepth 1 -exec mcopy -s -p -Q -i "$img" {} ::/ ";"',
            'sh',
            image,
            content,
            ...mkfsCommand(planned, image, sizeMiB),
          ]
        : mkfsCommand(planned, image, sizeMiB);
  await onHost(
    ctx,
    tree.places,
    [
      'sh',
      '-ec',
      '[ -d "$1" ] && [ ! -L "$1" ] || { echo "$1 is not a folder" >&2; exit 1; }; rm -f "$2"; truncate -s "$3" "$2"; shift 3; exec "$@"',
      'sh',
      content,
      image,
      `${sizeMiB}M`,
      ...populate,
    ],
    { ...treeView(tree), env: fakeTimeEnv(repro) },
  );
  if (planned.fstype === 'xfs') await copyThroughLoopMount(ctx, tree, image);
  if (planned.fstype === 'ext4' && repro) await clampExt4Times(ctx, tree.places, image, repro);
  return image;
}

/**
 * mkfs.xfs cannot populate from a folder, so the tree goes through a tarball packed in the sandbox (the image's
 * owners, nothing followed) and is unpacked into the image mounted through a loop device. The mount happens
 * in a private mount namespace: it dies with the namespace even if tar is killed, and the loop device that
 * mount -o loop attaches has autoclear set, so it goes with the mount.
 */
async function copyThroughLoopMount(ctx: StepContext, tree: ImageTree, image: string): Promise<void> {
  const tarball = `${image}.tar`;
  await onHost(
    ctx,
    tree.places,
    [
      'tar',
      '--numeric-owner',
      '--xattrs',
      '--xattrs-include=*',
      '--acls',
      '-C',
      treePath(tree),
      '-cf',
      '-',
      '.',
    ],
    { ...treeView(tree), stdoutTo: tarball },
  );
  const mountPoint = `${image}.mnt`;
  await mkdir(mountPoint, { recursive: true });
  try {
    await ctx.run('unshare', [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-ec',
      'mount -o loop "$1" "$2"; tar --numeric-owner --xattrs --xattrs-include="*" --acls -C "$2" -xf "$3"; umount "$2"',
      'sh',
      image,
      mountPoint,
      tarball,
    ]);
  } finally {
    await rmdir(mountPoint).catch(() => {});
    await rm(tarball, { force: true });
  }
}

/** Copies a host folder's content into a FAT image file with mtools (vfat cannot be mounted on this kernel). */
export async function copyIntoFat(ctx: StepContext, image: string, dir: string): Promise<void> {
  const entries = await readdir(dir);
  if (entries.length === 0) return;
  await ctx.run('mcopy', ['-s', '-p', '-Q', '-i', image, ...entries.map((e) => join(dir, e)), '::/']);
}

/** A file the sandbox's tools made, as the host is about to use it: a regular file, nothing else. */
export async function madeInSandbox(path: string): Promise<string> {
  if (!(await lstat(path)).isFile()) throw new Error(`${path} is not a regular file`);
  return path;
}

// Filesystem images made from a directory, with no loop device and no mount where the mkfs tool can populate
// from a directory (mkfs.ext4 -d, mkfs.btrfs --rootdir) or mtools can (FAT); xfs alone needs a loop mount.
import { mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlannedFs } from './layout.ts';
import type { StepContext } from './runner.ts';

/** Room for the content plus headroom for a filesystem that is going to be used, not just read. */
export async function sizeForContent(ctx: StepContext, dir: string, planned: PlannedFs): Promise<number> {
  if (planned.sizeMiB !== undefined) return planned.sizeMiB;
  const { stdout } = await ctx.run('du', ['-s', '--block-size=1M', '-x', dir], { onLine: () => {} });
  const usedMiB = Number(stdout.split(/\s/)[0]);
  return Math.max(planned.minMiB, Math.ceil(usedMiB * 1.4) + 256);
}

export async function makeFilesystem(
  ctx: StepContext,
  planned: PlannedFs,
  content: string | undefined,
  image: string,
  sizeMiB: number,
): Promise<void> {
  await rm(image, { force: true });
  await ctx.run('truncate', ['-s', `${sizeMiB}M`, image]);
  switch (planned.fstype) {
    case 'ext4':
      await ctx.run('mkfs.ext4', [
        '-q',
        '-F',
        '-L',
        planned.label,
        '-U',
        planned.uuid,
        '-E',
        'root_owner=0:0',
        ...(content ? ['-d', content] : []),
        image,
      ]);
      return;
    case 'btrfs':
      await ctx.run('mkfs.btrfs', [
        '-q',
        '-f',
        '-L',
        planned.label,
        '-U',
        planned.uuid,
        ...(content ? ['--rootdir', content] : []),
        image,
      ]);
      return;
    case 'vfat':
      // FAT32 needs about 33 MiB of clusters; smaller images (the live ISO's EFI image) get what fits.
      await ctx.run('mkfs.vfat', [
        ...(sizeMiB >= 64 ? ['-F', '32'] : []),
        '-n',
        planned.label.toUpperCase(),
        '-i',
        planned.uuid.replace('-', ''),
        image,
      ]);
      if (content) await copyIntoFat(ctx, image, content);
      return;
    case 'swap':
      await ctx.run('mkswap', ['-L', planned.label, '-U', planned.uuid, image]);
      return;
    case 'xfs':
      await ctx.run('mkfs.xfs', [
        '-q',
        '-f',
        '-L',
        planned.label.slice(0, 12),
        '-m',
        `uuid=${planned.uuid}`,
        image,
      ]);
      if (content) await copyThroughLoopMount(ctx, image, content);
      return;
  }
}

/**
 * mkfs.xfs cannot populate from a folder, so the image is mounted through a loop device and filled with
 * cp. It happens in a private mount namespace: the mount dies with the namespace even if cp is killed, and
 * the loop device that mount -o loop attaches has autoclear set, so it goes with the mount.
 */
async function copyThroughLoopMount(ctx: StepContext, image: string, content: string): Promise<void> {
  const mountPoint = `${image}.mnt`;
  await mkdir(mountPoint, { recursive: true });
  try {
    await ctx.run('unshare', [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-ec',
      'mount -o loop "$1" "$2"; cp -a --preserve=all "$3/." "$2/"; umount "$2"',
      'sh',
      image,
      mountPoint,
      content,
    ]);
  } finally {
    await rmdir(mountPoint).catch(() => {});
  }
}

/** Copies a folder's content into a FAT image file with mtools (vfat cannot be mounted on this kernel). */
export async function copyIntoFat(ctx: StepContext, image: string, dir: string): Promise<void> {
  const entries = await readdir(dir);
  if (entries.length === 0) return;
  await ctx.run('mcopy', ['-s', '-p', '-Q', '-i', image, ...entries.map((e) => join(dir, e)), '::/']);
}

// Filesystem images made from a directory, with no loop device and no mount: mkfs tools that populate
// from a directory (mkfs.ext4 -d, mkfs.btrfs --rootdir), mtools for FAT.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildFailure } from './failures.ts';
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
      throw new BuildFailure(
        'kickstart-error',
        ctx.step,
        'xfs filesystems are not built by the native builder yet (no mkfs.xfs that populates from a folder here)',
      );
  }
}

/** Copies a folder's content into a FAT image file with mtools (vfat cannot be mounted on this kernel). */
export async function copyIntoFat(ctx: StepContext, image: string, dir: string): Promise<void> {
  const entries = await readdir(dir);
  if (entries.length === 0) return;
  await ctx.run('mcopy', ['-s', '-p', '-Q', '-i', image, ...entries.map((e) => join(dir, e)), '::/']);
}

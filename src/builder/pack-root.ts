// An image root as a tarball (the fs type, native or from mic's root folder): numeric owners (the build host's
// user names mean nothing in the image), extended attributes and ACLs kept, sorted for reproducible archives.
import type { PackFormat } from './image-types.ts';
import type { StepContext } from './runner.ts';

const compressor: Record<PackFormat, string> = {
  'tar.zst': 'zstd -T0 -3',
  'tar.gz': 'gzip',
  'tar.bz2': 'bzip2',
};

export async function packRoot(
  ctx: StepContext,
  rootDir: string,
  tarball: string,
  format: PackFormat,
): Promise<void> {
  await ctx.run('tar', [
    '--numeric-owner',
    '--xattrs',
    '--xattrs-include=*',
    '--acls',
    '--sort=name',
    '-I',
    compressor[format],
    '-C',
    rootDir,
    '-cf',
    tarball,
    '.',
  ]);
}

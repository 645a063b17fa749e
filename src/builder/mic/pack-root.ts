// mic's fs type without --pack-to leaves the image root as a folder; IMG publishes files, so the folder becomes
// the NAME.tar.zst the native fs build makes: numeric owners (the build host's user names mean nothing in the
// image), extended attributes and ACLs kept, sorted for reproducible archives.
import type { StepContext } from '../runner.ts';

export async function packRootFolder(ctx: StepContext, rootDir: string, tarball: string): Promise<void> {
  await ctx.run('tar', [
    '--numeric-owner',
    '--xattrs',
    '--xattrs-include=*',
    '--acls',
    '--sort=name',
    '-I',
    'zstd -T0 -3',
    '-C',
    rootDir,
    '-cf',
    tarball,
    '.',
  ]);
}

// An image root as a tarball (the fs type, native or from mic's root folder): numeric owners (the build
// host's user names mean nothing in the image), extended attributes and ACLs kept, sorted for reproducible
// archives. The native builder's root is read inside the sandbox, so the archive holds the image's own
// owners (not the host's idBase) and its symlinks as symlinks; the host only opens the file it writes to.
import type { PackFormat } from './image-types.ts';
import type { StepContext } from './runner.ts';
import { capabilities, onHost, type SandboxPlaces } from './sandbox.ts';

const compressor: Record<PackFormat, string> = {
  'tar.zst': 'zstd -T0 -3',
  'tar.gz': 'gzip',
  'tar.bz2': 'bzip2',
};

function tarArgs(rootDir: string, format: PackFormat, output: string): string[] {
  return [
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
    output,
    '.',
  ];
}

/** Packs a root folder made on the host by the host's root (mic's). */
export async function packRoot(
  ctx: StepContext,
  rootDir: string,
  tarball: string,
  format: PackFormat,
): Promise<void> {
  await ctx.run('tar', tarArgs(rootDir, format, tarball));
}

/** Packs the native builder's image root, inside the sandbox. */
export async function packImageRoot(
  ctx: StepContext,
  places: SandboxPlaces,
  tarball: string,
  format: PackFormat,
): Promise<void> {
  await onHost(ctx, places, ['tar', ...tarArgs(places.root, format, '-')], {
    binds: [{ path: places.root }],
    caps: capabilities.imageReader,
    stdoutTo: tarball,
  });
}

// An image root as a tarball (the fs type, native or from mic's root folder): numeric owners (the build
// host's user names mean nothing in the image), extended attributes and ACLs kept, sorted for reproducible
// archives. The native builder's root is read inside the sandbox, so the archive holds the image's own
// owners (not the host's idBase) and its symlinks as symlinks; the host only opens the file it writes to.
// Reproducible: entries sorted, times clamped to SOURCE_DATE_EPOCH, no access or change times and no process
// id in the pax headers (GNU tar's defaults put both there), no name or time in a gzip header.
import type { PackFormat } from './image-types.ts';
import type { Reproducibility } from './reproducible.ts';
import type { StepContext } from './runner.ts';
import { capabilities, onHost, type SandboxPlaces } from './sandbox.ts';

const compressor: Record<PackFormat, string> = {
  'tar.zst': 'zstd -T0 -3',
  'tar.gz': 'gzip -n',
  'tar.bz2': 'bzip2',
};

function tarArgs(rootDir: string, format: PackFormat, output: string, repro?: Reproducibility): string[] {
  return [
    '--numeric-owner',
    '--xattrs',
    '--xattrs-include=*',
    '--acls',
    '--sort=name',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    ...(repro ? [`--mtime=@${repro.sourceDateEpoch}`, '--clamp-mtime'] : []),
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
  repro?: Reproducibility,
): Promise<void> {
  await onHost(ctx, places, ['tar', ...tarArgs(places.root, format, '-', repro)], {
    binds: [{ path: places.root }],
    caps: capabilities.imageReader,
    stdoutTo: tarball,
  });
}

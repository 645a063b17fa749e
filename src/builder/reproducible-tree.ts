// The image tree and filesystem images made the same for the same inputs (reproducible.ts gives the time and
// the seed): per-build files removed, every time clamped to SOURCE_DATE_EPOCH, ext4 inodes stamped alike.
import type { Reproducibility } from './reproducible.ts';
import type { StepContext } from './runner.ts';
import { capabilities, onHost, type SandboxPlaces } from './sandbox.ts';

/**
 * Files that differ from one build to the next with equal inputs (mmdebstrap's cleanup/reproducible list:
 * package manager logs, ldconfig's aux-cache, D-Bus' machine id). /etc/machine-id is emptied instead: systemd
 * makes one at first boot, so every machine from the image gets its own.
 */
export const perBuildFiles = [
  '/var/log/dpkg.log',
  '/var/log/apt/history.log',
  '/var/log/apt/term.log',
  '/var/log/apt/eipp.log.xz',
  '/var/log/alternatives.log',
  '/var/cache/ldconfig/aux-cache',
  '/var/lib/dbus/machine-id',
  '/var/lib/systemd/random-seed',
];

/** Removes what differs per build and clamps every time in the tree to SOURCE_DATE_EPOCH (a %post's files). */
const normaliser = `set -e
root=$1; epoch=$2; shift 2
for f; do rm -f "$root$f"; done
if [ -f "$root/etc/machine-id" ] && [ ! -L "$root/etc/machine-id" ]; then : > "$root/etc/machine-id"; fi
find "$root" -xdev -newermt "@$epoch" -exec touch -h -d "@$epoch" {} +
touch -h -d "@$epoch" "$root"`;

/**
 * Readies the image root for packing: run by the host's tools in the sandbox, links never followed (rm and
 * touch -h act on a link itself; the machine-id is emptied only as a regular file).
 */
export async function normaliseTree(
  ctx: StepContext,
  places: SandboxPlaces,
  repro: Reproducibility,
): Promise<void> {
  await onHost(
    ctx,
    places,
    ['sh', '-ec', normaliser, 'sh', places.root, String(repro.sourceDateEpoch), ...perBuildFiles],
    { binds: [{ path: places.root, writable: true }], caps: capabilities.imageAdmin },
  );
}

/**
 * `mkfs.ext4 -d` (e2fsprogs 1.47.0, Debian 12) stamps the filesystem's own times from E2FSPROGS_FAKE_TIME but
 * copies each file's ctime from the tree (which no one can set) and the journal's atime from the clock. debugfs
 * sets both, on every inode in use (the complement of dumpe2fs' free ranges), by number: no path of the image
 * goes into its command stream.
 */
export async function clampExt4Times(
  ctx: StepContext,
  places: SandboxPlaces,
  image: string,
  repro: Reproducibility,
): Promise<void> {
  const view = { binds: [{ path: places.images, writable: true }], caps: capabilities.none };
  const { stdout } = await onHost(ctx, places, ['dumpe2fs', image], { ...view, onLine: () => {} });
  const at = `@${repro.sourceDateEpoch}`;
  const commands = usedInodes(stdout).flatMap((inode) => [
    `sif <${inode}> ctime ${at}`,
    `sif <${inode}> atime ${at}`,
  ]);
  await onHost(ctx, places, ['debugfs', '-w', '-f', '-', image], {
    ...view,
    env: fakeTimeEnv(repro),
    input: `${commands.join('\n')}\n`,
    onLine: () => {},
  });
}

/** The inodes in use, from dumpe2fs' inode count and each group's free inode ranges. */
export function usedInodes(dumpe2fs: string): number[] {
  const count = Number(/^Inode count:\s+(\d+)$/m.exec(dumpe2fs)?.[1]);
  if (!Number.isSafeInteger(count) || count <= 0) throw new Error('dumpe2fs gave no inode count');
  const free = new Uint8Array(count + 1);
  for (const match of dumpe2fs.matchAll(/^\s+Free inodes: (.*)$/gm)) {
    for (const range of match[1]!.split(',')) {
      const [from = Number.NaN, to = from] = range.trim().split('-').map(Number);
      if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) continue;
      for (let inode = Math.max(1, from); inode <= Math.min(count, to); inode++) free[inode] = 1;
    }
  }
  const used: number[] = [];
  for (let inode = 1; inode <= count; inode++) if (!free[inode]) used.push(inode);
  return used;
}

/** e2fsprogs' own clock for the times it stamps (mkfs, last check, last write). */
export function fakeTimeEnv(repro: Reproducibility | undefined): Record<string, string> {
  return repro ? { E2FSPROGS_FAKE_TIME: String(repro.sourceDateEpoch) } : {};
}

// The filesystems of an image, decided up front from the recipe's partitions: identities (UUIDs, labels)
// are fixed before anything is written, so fstab, the boot loader and mkfs all agree.
import { BuildFailure } from './failures.ts';
import { defaultEspMiB, type FsType, type Partition } from './recipe.ts';
import { derivedUuid, derivedVolumeId } from './reproducible.ts';

export interface PlannedFs {
  mountpoint: Partition['mountpoint'];
  fstype: FsType;
  uuid: string;
  /** ext4's directory hash seed (a UUID), so that equal trees give equal directory blocks. */
  hashSeed?: string;
  label: string;
  /** Fixed size in MiB; undefined means: sized from its content. */
  sizeMiB?: number;
  /** Minimum size in MiB when sized from content. */
  minMiB: number;
}

export interface Layout {
  root: PlannedFs;
  boot?: PlannedFs;
  esp: PlannedFs & { fstype: 'vfat' };
  swap?: PlannedFs;
}

const rootFsTypes: FsType[] = ['ext4', 'xfs', 'btrfs'];

/** Identities derived from the build's seed (reproducible.ts): the same inputs give the same UUIDs. */
function plan(part: Partition, label: string, seed: string): PlannedFs {
  const fixed = part.grow ? undefined : part.sizeMiB;
  return {
    mountpoint: part.mountpoint,
    fstype: part.fstype,
    uuid:
      part.fstype === 'vfat' ? derivedVolumeId(seed, part.mountpoint) : derivedUuid(seed, part.mountpoint),
    hashSeed: derivedUuid(seed, `hash:${part.mountpoint}`),
    label: part.label ?? label,
    ...(fixed === undefined ? {} : { sizeMiB: fixed }),
    minMiB: part.sizeMiB ?? 0,
  };
}

/** What the native builder cannot lay out: the filesystem each partition may have. */
export function layoutProblems(
  partitions: readonly Partition[],
): { mountpoint: Partition['mountpoint']; message: string }[] {
  const problems = [];
  for (const part of partitions) {
    if ((part.mountpoint === '/' || part.mountpoint === '/boot') && !rootFsTypes.includes(part.fstype)) {
      const what = part.mountpoint === '/' ? 'the root filesystem' : '/boot';
      problems.push({ mountpoint: part.mountpoint, message: `${what} cannot be ${part.fstype}` });
    }
    if (part.mountpoint === '/boot/efi' && part.fstype !== 'vfat') {
      problems.push({ mountpoint: part.mountpoint, message: `/boot/efi must be vfat, not ${part.fstype}` });
    }
  }
  return problems;
}

/** The layout of checked partitions (the plan refuses what layoutProblems finds); a recipe by hand is checked here. */
export function planLayout(partitions: readonly Partition[], seed: string): Layout {
  const [problem] = layoutProblems(partitions);
  if (problem) throw new BuildFailure('kickstart-error', 'resolve', problem.message);
  const find = (mountpoint: Partition['mountpoint']) => partitions.find((p) => p.mountpoint === mountpoint);
  const root = find('/') ?? { mountpoint: '/', grow: true, fstype: 'ext4' };
  const boot = find('/boot');
  const esp = find('/boot/efi') ?? {
    mountpoint: '/boot/efi',
    grow: false,
    fstype: 'vfat',
    sizeMiB: defaultEspMiB,
  };
  const swap = find('swap');
  return {
    root: plan(root, 'imgroot', seed),
    ...(boot ? { boot: plan(boot, 'imgboot', seed) } : {}),
    esp: {
      ...plan({ ...esp, grow: false, sizeMiB: esp.sizeMiB ?? defaultEspMiB }, 'ESP', seed),
      fstype: 'vfat',
    },
    ...(swap ? { swap: plan({ ...swap, grow: false, sizeMiB: swap.sizeMiB ?? 256 }, 'imgswap', seed) } : {}),
  };
}

/** fstab for an image with this layout; a filesystem image (loop) has only its root. */
export function renderFstab(layout: Layout, rootOnly = false): string {
  const lines = ['# written by imger from the kickstart part lines'];
  const root = layout.root;
  lines.push(
    `UUID=${root.uuid} / ${root.fstype} ${root.fstype === 'ext4' ? 'defaults,errors=remount-ro' : 'defaults'} 0 1`,
  );
  if (rootOnly) return `${lines.join('\n')}\n`;
  if (layout.boot) lines.push(`UUID=${layout.boot.uuid} /boot ${layout.boot.fstype} defaults 0 2`);
  lines.push(`UUID=${layout.esp.uuid} /boot/efi vfat umask=0077 0 1`);
  if (layout.swap) lines.push(`UUID=${layout.swap.uuid} none swap sw 0 0`);
  return `${lines.join('\n')}\n`;
}

// Target architectures: the names users may give (mic's included), the Debian name each maps to, and whether
// it runs natively here or through qemu-user.
import { BuildFailure } from './failures.ts';

export const arches = ['x86_64', 'i686', 'aarch64', 'armv7hl'] as const;
export type Arch = (typeof arches)[number];

export interface ArchInfo {
  debian: string;
  /** The qemu-user binfmt entry needed to run the target's binaries on an x86_64 host, when not native. */
  qemuUser?: string;
}

export const archInfo: Record<Arch, ArchInfo> = {
  x86_64: { debian: 'amd64' },
  i686: { debian: 'i386' },
  aarch64: { debian: 'arm64', qemuUser: 'qemu-aarch64' },
  armv7hl: { debian: 'armhf', qemuUser: 'qemu-arm' },
};

/** mic's architecture names (rpmmisc archPolicies) and Debian's own, for the arches IMG can build. */
const aliases: Record<string, Arch> = {
  x86_64: 'x86_64',
  amd64: 'x86_64',
  i686: 'i686',
  i586: 'i686',
  i486: 'i686',
  i386: 'i686',
  ia32: 'i686',
  aarch64: 'aarch64',
  arm64: 'aarch64',
  armv7hl: 'armv7hl',
  armv7nhl: 'armv7hl',
  armv7thl: 'armv7hl',
  armv7tnhl: 'armv7hl',
  armhf: 'armv7hl',
};

/** Checks an architecture name given by a user, before any work starts. */
export function parseArch(name: string): Arch {
  const arch = aliases[name];
  if (arch) return arch;
  throw new BuildFailure(
    'kickstart-error',
    'resolve',
    `architecture ${name} cannot be built; accepted: ${Object.keys(aliases).join(', ')}`,
  );
}

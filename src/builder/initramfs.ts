// The initramfs of a bootable Debian root: generated once per kernel and inputs, kept in the cache and
// reused by every later bootstrap whose root would make the same one, whatever else its package set holds.
//
// What goes in is chosen here, not by the build host: MODULES=dep would look at the host's hardware, and
// Debian's MODULES=most copies every storage, network, bus and HID driver directory (plus the network drivers
// iSCSI/FCoE cards pull in), the largest part of a cold build's time. MODULES=list with the drivers a disk
// or live image meets (virtual machines' disks, common physical controllers, USB, SD) and the filesystems
// the kickstart can make; hooks (kms, live-boot, cryptsetup…) still add their own.
//
// The cache is shared by every user's builds, so an entry is only ever made from a root that no user code
// has touched: right after mmdebstrap installed packages from the recipe's sources (checked against their
// signed indexes), before configuration and %post. The key names those sources, so an entry made with one
// user's repository is never read by a build without it. A %post that changes what decides the initramfs
// (a hook, a module configuration, a module, a package) gets it generated again for that image only
// (`regenerateIfChanged`).
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { canonicalJson, pruneCached, touchCached } from './cache.ts';
import type { AptRepo } from './recipe.ts';
import { copyOutOfImage, kernelVersions } from './records.ts';
import type { StepContext } from './runner.ts';
import { capabilities, inImage, type SandboxPlaces } from './sandbox.ts';

/**
 * Storage drivers of virtual machines (virtio, Hyper-V, VMware, Xen, QEMU's and VirtualBox's IDE/AHCI) and of
 * common hardware (AHCI, NVMe, USB and UAS, SD/MMC, the usual SAS/RAID HBAs), the filesystems a kickstart's
 * partitions and a live medium use, and a keyboard for the emergency shell. Their dependencies come along.
 */
export const initramfsModules = [
  ...['ext4', 'btrfs', 'xfs', 'vfat', 'nls_cp437', 'nls_ascii', 'nls_utf8', 'isofs', 'squashfs', 'overlay'],
  ...['loop', 'dm_mod', 'sd_mod', 'sr_mod'],
  ...['virtio_pci', 'virtio_mmio', 'virtio_blk', 'virtio_scsi'],
  ...['hv_vmbus', 'hv_storvsc', 'vmw_pvscsi', 'mptspi', 'mptsas', 'BusLogic', 'xen_blkfront'],
  ...['ahci', 'ata_piix', 'ata_generic', 'pata_acpi', 'nvme', 'vmd'],
  ...['megaraid_sas', 'mpt3sas', 'smartpqi', 'hpsa', 'aacraid'],
  ...['xhci_pci', 'xhci_plat_hcd', 'ehci_pci', 'ehci_platform', 'ohci_pci', 'uhci_hcd', 'usb_storage', 'uas'],
  ...['mmc_block', 'sdhci_pci', 'sdhci_acpi'],
  ...['atkbd', 'i8042', 'usbhid', 'hid_generic', 'hyperv_keyboard'],
];

/** mkinitramfs reads this list besides /etc/initramfs-tools/modules (a conffile, left to the image). */
const moduleListFile = '/usr/share/initramfs-tools/modules.d/imger';

/** mmdebstrap hooks that set the initramfs up before the kernel is installed; nothing generates it there. */
export function initramfsConfigHooks(): string[] {
  return [
    '--essential-hook=mkdir -p "$1/etc/initramfs-tools/conf.d" && echo MODULES=list > "$1/etc/initramfs-tools/conf.d/modules"',
    `--essential-hook=printf 'COMPRESS=zstd\\nCOMPRESSLEVEL=1\\n' > "$1/etc/initramfs-tools/conf.d/compress"`,
    `--essential-hook=mkdir -p "$1${dirname(moduleListFile)}" && printf '%s\\n' ${initramfsModules.join(' ')} > "$1${moduleListFile}"`,
  ];
}

/**
 * Prints, from inside the image, what decides its initramfs: the installed packages with their dependencies,
 * the packages that own the hooks, scripts, configuration and modules, and a digest of the trees mkinitramfs
 * reads (configuration and hooks by content, modules and firmware by name and size).
 */
const fingerprintScript = `
set -e
kver=$1
echo "@packages"
dpkg-query -W -f '\${db:Status-Status}\\t\${Package}\\t\${Version}\\t\${Architecture}\\t\${Pre-Depends}, \${Depends}\\t\${Provides}\\n'
echo "@owners"
for path in /usr/share/initramfs-tools /etc/initramfs-tools /lib/modules/$kver; do
  dpkg-query -S "$path" 2>/dev/null || true
done
small() {
  for dir in /etc/initramfs-tools /usr/share/initramfs-tools /etc/modprobe.d /lib/modprobe.d /usr/lib/modprobe.d; do
    [ -d "$dir" ] || continue
    find "$dir" -type l -printf '%p -> %l\\n'
    find "$dir" -type f -exec sha256sum {} +
  done | LC_ALL=C sort
}
big() {
  for dir in /lib/modules/$kver /lib/firmware; do
    [ -d "$dir" ] && find "$dir" \\( -type f -o -type l \\) -printf '%p %s\\n'
  done | LC_ALL=C sort
}
echo "@inputs $( { small; big; } | sha256sum | cut -d' ' -f1)"
`;

interface Fingerprint {
  /** name=version:arch of every package that decides the initramfs, sorted. */
  packages: string[];
  /** name=version:arch of every installed package, sorted. */
  installed: string[];
  inputs: string;
}

interface InstalledPackage {
  version: string;
  arch: string;
  depends: string[];
  provides: string[];
}

/** Package names of a Depends-like field: every alternative, without versions or architecture qualifiers. */
function namesOf(field: string): string[] {
  return field
    .split(/[,|]/)
    .map((part) => part.trim().split(/[\s(:]/)[0]!)
    .filter((name) => name !== '');
}

/**
 * The packages that own the hooks, configuration and modules, the compressor, and everything they depend
 * on (any alternative, any provider): the programs and libraries the hooks copy in come from these.
 */
export function initramfsPackages(dpkgLines: string[], owners: string[]): string[] {
  const installed = new Map<string, InstalledPackage>();
  const providers = new Map<string, string[]>();
  for (const line of dpkgLines) {
    const [status, name, version, arch, depends, provides] = line.split('\t');
    if (status !== 'installed' || !name || !version || !arch) continue;
    installed.set(name, {
      version,
      arch,
      depends: namesOf(depends ?? ''),
      provides: namesOf(provides ?? ''),
    });
  }
  for (const [name, pkg] of installed) {
    for (const virtual of pkg.provides) providers.set(virtual, [...(providers.get(virtual) ?? []), name]);
  }
  const pending = [...owners, 'zstd'];
  const found = new Set<string>();
  while (pending.length > 0) {
    const name = pending.pop()!;
    for (const real of [name, ...(providers.get(name) ?? [])]) {
      const pkg = installed.get(real);
      if (!pkg || found.has(real)) continue;
      found.add(real);
      pending.push(...pkg.depends);
    }
  }
  return [...found]
    .map((name) => `${name}=${installed.get(name)!.version}:${installed.get(name)!.arch}`)
    .sort();
}

async function fingerprint(ctx: StepContext, places: SandboxPlaces, kernel: string): Promise<Fingerprint> {
  const { stdout } = await inImage(ctx, places, ['sh', '-c', fingerprintScript, 'sh', kernel], {
    caps: capabilities.imageReader,
    onLine: () => {},
  });
  const lines = stdout.split('\n');
  const at = (marker: string) => lines.findIndex((line) => line.startsWith(marker));
  const dpkgLines = lines.slice(at('@packages') + 1, at('@owners'));
  const owners = lines
    .slice(at('@owners') + 1, at('@inputs'))
    .flatMap((line) => line.slice(0, line.lastIndexOf(':')).split(','))
    .map((name) => name.trim().replace(/:.*$/, ''));
  const value = (marker: string) => lines[at(marker)]?.slice(marker.length + 1) ?? '';
  const installed = dpkgLines
    .map((line) => line.split('\t'))
    .filter(([status]) => status === 'installed')
    .map(([, name, version, arch]) => `${name}=${version}:${arch}`)
    .sort();
  return { packages: initramfsPackages(dpkgLines, owners), installed, inputs: value('@inputs') };
}

export interface InitramfsKeyInputs {
  debianArch: string;
  kernel: string;
  /** The sources the root was installed from: an entry never crosses to a build without the same ones. */
  sources: Pick<AptRepo, 'url' | 'suite' | 'components'>[];
  /** Every source is one of the build host's own (bootstrap.ts BootstrapInput). */
  hostSourcesOnly: boolean;
  /**
   * The packages that decide the initramfs (initramfsPackages) when every source is one of the host's; else
   * every installed package: a user's repository can ship a package whose script alters what the initramfs
   * copies in (busybox, a library) without owning it, so its entry is shared only with the identical root.
   */
  packages: string[];
  inputs: string;
  /** Changes whenever the code that makes a root or its initramfs changes (cache.ts builderVersion). */
  builderVersion: string;
  /**
   * mkinitramfs clamps the image's times to it and packs reproducibly (reproducible.ts): part of the key, so an
   * image made for other sources' date never stands in for the one this build would make.
   */
  sourceDateEpoch?: number;
}

export function initramfsKey(inputs: InitramfsKeyInputs): string {
  return createHash('sha256').update(canonicalJson(inputs)).digest('hex');
}

/** How many initramfs images the cache keeps (about 20 MB each), besides any used within the hour. */
const keptImages = 8;

function bootInitrd(kernel: string): string {
  return `/boot/initrd.img-${kernel}`;
}

/**
 * Gives a freshly bootstrapped root, that no user code has touched, the initramfs of each of its kernels:
 * from the cache when the key matches, else generated in the image and stored for the next build.
 */
export async function provideInitramfs(
  ctx: StepContext,
  places: SandboxPlaces,
  cacheDir: string,
  key: Omit<InitramfsKeyInputs, 'kernel' | 'packages' | 'inputs'>,
): Promise<void> {
  if (!(await hasInitramfsTools(ctx, places))) return;
  for (const kernel of await kernelVersions(ctx, places)) {
    const found = await fingerprint(ctx, places, kernel);
    const packages = key.hostSourcesOnly ? found.packages : found.installed;
    const name = initramfsKey({ ...key, kernel, packages, inputs: found.inputs });
    const cached = join(cacheDir, `${name}.img`);
    if (await stat(cached).catch(() => undefined)) {
      ctx.log(`using the cached initramfs ${cached} for kernel ${kernel}`);
      await touchCached(cached);
      await inImage(ctx, places, ['sh', '-c', 'cat > "$1"', 'sh', bootInitrd(kernel)], {
        caps: capabilities.imageAdmin,
        stdinFrom: cached,
      });
      continue;
    }
    await generate(ctx, places, kernel, key.sourceDateEpoch);
    await mkdir(cacheDir, { recursive: true });
    const partial = `${cached}.${process.pid}.partial`;
    ctx.onCleanup(() => rm(partial, { force: true }));
    await copyOutOfImage(ctx, places, bootInitrd(kernel), partial);
    // rename is atomic: a concurrent build sees either no image or a whole one.
    await rename(partial, cached);
    ctx.log(`stored the initramfs of kernel ${kernel} as ${cached}`);
    for (const pruned of await pruneCached(cacheDir, '.img', keptImages)) {
      ctx.log(`pruned the unused initramfs ${pruned}`);
    }
  }
}

/** A root with dracut instead got its initramfs from dracut's own kernel hook while the kernel installed. */
async function hasInitramfsTools(ctx: StepContext, places: SandboxPlaces): Promise<boolean> {
  const { stdout } = await inImage(
    ctx,
    places,
    ['sh', '-c', '[ -x /usr/sbin/update-initramfs ] && echo yes || echo no'],
    { caps: capabilities.none, onLine: () => {} },
  );
  if (stdout.trim() === 'yes') return true;
  ctx.log('no update-initramfs in the image: the initramfs is what its own generator made');
  return false;
}

function generate(ctx: StepContext, places: SandboxPlaces, kernel: string, sourceDateEpoch?: number) {
  return inImage(ctx, places, ['update-initramfs', '-c', '-k', kernel], {
    caps: capabilities.imageAdmin,
    ...(sourceDateEpoch ? { env: { SOURCE_DATE_EPOCH: String(sourceDateEpoch) } } : {}),
  });
}

/** The folders whose files decide an initramfs, and dpkg's status (a package installed, removed, upgraded). */
const watched = [
  '/etc/initramfs-tools',
  '/usr/share/initramfs-tools',
  '/etc/modprobe.d',
  '/lib/modprobe.d',
  '/usr/lib/modprobe.d',
  '/lib/modules',
  '/lib/firmware',
  '/var/lib/dpkg/status',
];

/**
 * Generates the initramfs of every kernel again, for this image only, when anything that decides it changed
 * since `sinceMs` (a script ran): a file's change time cannot be set back from inside the sandbox, so one
 * `find` tells. A script that installs any package counts, as it may have upgraded a library a hook copies in.
 * What the scripts did never reaches the cache.
 */
export async function regenerateIfChanged(
  ctx: StepContext,
  places: SandboxPlaces,
  sinceMs: number,
  sourceDateEpoch?: number,
): Promise<void> {
  // Change times come from the kernel's coarse clock (a tick behind): 10 ms of margin. Not more: a warm build
  // unpacked every one of these files moments before (configure takes well under a second on a quiet machine).
  const since = `@${((sinceMs - 10) / 1000).toFixed(3)}`;
  const { stdout } = await inImage(
    ctx,
    places,
    [
      'sh',
      '-c',
      'since=$1; shift; for path in "$@"; do [ -e "$path" ] && find "$path" -newerct "$since" -print -quit; done; true',
      'sh',
      since,
      ...watched,
    ],
    { caps: capabilities.imageReader, onLine: () => {} },
  );
  const changed = stdout.split('\n').filter((line) => line !== '');
  if (changed.length === 0 || !(await hasInitramfsTools(ctx, places))) return;
  for (const kernel of await kernelVersions(ctx, places)) {
    ctx.log(`the scripts changed ${changed[0]}: making the initramfs of kernel ${kernel} again`);
    await generate(ctx, places, kernel, sourceDateEpoch);
  }
}

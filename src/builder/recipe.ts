// The fully resolved description of one image: everything the engine needs, with no defaults left to guess.
// The kickstart "resolve" step produces it; tests and the bench write it by hand.
import type { Script as KickstartScript } from '../kickstart/index.ts';
import type { Arch } from './arches.ts';
import type { ImageType, PackFormat } from './image-types.ts';

export interface AptRepo {
  kind: 'apt';
  name?: string;
  url: string;
  suite: string;
  components: string[];
  /**
   * Keyring file for Signed-By, from the build host's own apt sources only; absent means the host's default
   * Debian keyrings.
   */
  signedBy?: string;
  /** The kickstart's `--gpgkey`: an http(s) URL, a data: URL, or a file: URL in the admin's key folder. */
  gpgKey?: string;
}

export interface RpmRepo {
  kind: 'rpm';
  name: string;
  url: string;
  /** As AptRepo.gpgKey; without one, the repository's packages are installed unverified. */
  gpgKey?: string;
  /** The kickstart's repo options, handed to dnf as the repository's settings. */
  mirrorlist?: string;
  metalink?: string;
  cost?: number;
  includePkgs?: string[];
  excludePkgs?: string[];
  proxy?: string;
  /** repo --install: the image keeps the repository in /etc/yum.repos.d, for its own dnf. */
  install?: boolean;
}

export type PackageSource = AptRepo | RpmRepo;

export type Password =
  | { kind: 'plain'; value: string }
  | { kind: 'crypted'; value: string }
  | { kind: 'locked' };

export type SelinuxMode = 'enforcing' | 'permissive' | 'disabled';

export interface FirewallSettings {
  /** A firewall line is `enabled` unless it says --disabled or --use-system-defaults (pykickstart's default). */
  mode: 'enabled' | 'disabled' | 'system-defaults';
  services: string[];
  removeServices: string[];
  /** PORT[-PORT]:PROTOCOL */
  ports: string[];
  /** Interfaces whose traffic is let in. */
  trusts: string[];
  line: number;
}

export interface StaticNetwork {
  /**
   * The interface by name or MAC address; undefined (`link`, `bootif` or no --device) for any wired one:
   * NetworkManager gives such a profile to one interface, systemd-networkd to each.
   */
  device?: { name: string } | { mac: string };
  /** IPv4 address and prefix length. */
  address: string;
  prefix: number;
  gateway?: string;
  nameservers: string[];
  line: number;
}

export interface UserAccount {
  name: string;
  groups: string[];
  password?: Password;
  homedir?: string;
  shell?: string;
  uid?: number;
}

export interface Group {
  name: string;
  gid?: number;
}

export interface SshKey {
  user: string;
  key: string;
}

export type FsType = 'ext4' | 'xfs' | 'btrfs' | 'vfat' | 'swap';

export interface Partition {
  mountpoint: '/' | '/boot' | '/boot/efi' | 'swap';
  /** MiB; with grow, the minimum. */
  sizeMiB?: number;
  grow: boolean;
  fstype: FsType;
  label?: string;
}

/** The kickstart script kinds an image build runs (%onerror and %traceback belong to installers). */
export type ScriptKind = Extract<KickstartScript['kind'], 'pre' | 'post' | 'pack'>;

/** A kickstart script as the build runs it; `nochroot` runs it on the build host with the root at INSTALL_ROOT. */
export interface Script extends Pick<KickstartScript, 'body' | 'interpreter' | 'nochroot' | 'erroronfail'> {
  kind: ScriptKind;
}

export interface ImageRecipe {
  type: ImageType;
  arch: Arch;
  name: string;
  outputDir: string;
  /** Empty means: the host's configured apt sources. */
  sources: PackageSource[];
  /** The Debian suite to bootstrap when sources come from the host; ignored for rpm roots. */
  suite?: string;
  packages: string[];
  excludedPackages: string[];
  /** %packages --excludedocs: no documentation files (rpm roots). */
  excludeDocs?: boolean;
  /** %packages --ignoremissing: a package or group no repository has is skipped, not an error (rpm roots). */
  ignoreMissing?: boolean;
  /** %packages --nocore: the repositories' `core` group is not added (rpm roots; Anaconda adds it otherwise). */
  noCore?: boolean;
  /** %packages --exclude-weakdeps: no Recommends (rpm roots; installed otherwise, as Anaconda does). */
  excludeWeakDeps?: boolean;
  /** %packages --inst-langs, colon-separated: rpm's %_install_langs, so files of other languages are skipped. */
  installLangs?: string;
  /** %packages --multilib: dnf's multilib_policy=all (rpm roots). */
  multilib?: boolean;
  /** Add what booting needs (kernel, init, initramfs tools) when the package list lacks it. */
  bootable: boolean;
  locale: string;
  keymap: string;
  timezone: string;
  /** Hardware clock in UTC (timezone --utc). */
  utc: boolean;
  rootPassword: Password;
  users: UserAccount[];
  groups: Group[];
  sshKeys: SshKey[];
  hostname: string;
  /** Bring every wired interface up with DHCP (systemd-networkd). */
  dhcp: boolean;
  /** `network --bootproto=static`: the interfaces with an address of their own, before DHCP for the rest. */
  staticNetworks: StaticNetwork[];
  /** `services` and its line, for the warnings about units that never exist. */
  services: { enabled: string[]; disabled: string[]; line?: number };
  /** `selinux`: the mode written to the image's /etc/selinux/config, where it has a policy. */
  selinux?: { mode: SelinuxMode; line: number };
  /** `firewall`: applied with the image's firewall-offline-cmd, as Anaconda does. */
  firewall?: FirewallSettings;
  /** Boot to the graphical target (xconfig --startxonboot). */
  startX?: boolean;
  /** Log this user in to the display manager, where one is installed (mic's desktop --autologinuser). */
  autologinUser?: string;
  bootloader: { append: string; timeoutS: number };
  partitions: Partition[];
  scripts: Script[];
  /** Paths (globs) inside the image root copied to the output folder. */
  attachments: string[];
  packTo: PackFormat;
  /** vmdk only: streamOptimized for OVA/ESXi/cloud import (slower to write), else monolithicSparse. */
  vmdkStreamOptimized?: boolean;
  /** Token values exported to scripts and applied to the kickstart text. */
  tokens: Record<string, string>;
  /** Whether kickstart scripts get network access in their sandbox. */
  scriptNetwork: boolean;
}

/** The layout used when the kickstart has no part lines: one growing ext4 root. */
export const defaultPartitions: Partition[] = [{ mountpoint: '/', grow: true, fstype: 'ext4' }];

/** The ESP size used when the kickstart does not size /boot/efi. */
export const defaultEspMiB = 64;

/** A recipe with every field at its default, for the given type, arch, name and output folder. */
export function baseRecipe(type: ImageType, arch: Arch, name: string, outputDir: string): ImageRecipe {
  return {
    type,
    arch,
    name,
    outputDir,
    sources: [],
    packages: [],
    excludedPackages: [],
    bootable: type !== 'fs' && type !== 'loop',
    locale: 'C.UTF-8',
    keymap: 'us',
    timezone: 'UTC',
    utc: true,
    rootPassword: { kind: 'locked' },
    users: [],
    groups: [],
    sshKeys: [],
    hostname: 'localhost',
    dhcp: true,
    staticNetworks: [],
    services: { enabled: [], disabled: [] },
    bootloader: { append: 'console=tty0 console=ttyS0,115200n8', timeoutS: 1 },
    partitions: defaultPartitions.map((part) => ({ ...part })),
    scripts: [],
    attachments: [],
    packTo: 'tar.zst',
    tokens: {},
    scriptNetwork: false,
  };
}

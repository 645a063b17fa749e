import type { Check } from '../command-spec.ts';
import { defineCommand } from '../command-spec.ts';
import { given, type OptionValues, opt } from '../options.ts';

/** LUKS settings, the same on every device pykickstart can encrypt. */
const LUKS_OPTIONS = {
  encrypted: opt.flag(),
  passphrase: opt.string(),
  escrowcert: opt.string({ describe: 'an X.509 certificate URL' }),
  backuppassphrase: opt.flag(),
  cipher: opt.string(),
  'luks-version': opt.string({ describe: 'a LUKS version such as luks2' }),
  pbkdf: opt.string(),
  'pbkdf-memory': opt.int({ min: 0, describe: 'a memory cost in KiB' }),
  'pbkdf-time': opt.int({ min: 0, describe: 'a time in milliseconds' }),
  'pbkdf-iterations': opt.int({ min: 0 }),
} as const;

const PBKDF_EXCLUSIVE = ['pbkdf-time', 'pbkdf-iterations'] as const;

/** The passphrase of a self-encrypting (OPAL) drive; pykickstart offers it on autopart and part only. */
const HW_PASSPHRASE_OPTIONS = { 'hw-passphrase': opt.string() } as const;

function checkHwPassphrase(
  options: OptionValues<typeof LUKS_OPTIONS & typeof HW_PASSPHRASE_OPTIONS>,
  check: Check,
) {
  if (
    given(options['hw-passphrase']) &&
    (!options.encrypted || !options['luks-version']?.startsWith('luks2-'))
  ) {
    check.error('--hw-passphrase needs --encrypted and a hardware --luks-version such as luks2-hw-opal');
  }
}

/**
 * Explicit partitioning: none of it goes with autopart, nor with mount (which only mounts existing devices);
 * declared on autopart and mount, checked both ways.
 */
const EXPLICIT_LAYOUT = ['part', 'raid', 'volgroup', 'logvol', 'reqpart'] as const;

/** The file system made on a partition, RAID device or logical volume. */
const FORMAT_OPTIONS = {
  fstype: opt.string({ describe: 'a file system type' }),
  fsoptions: opt.string({ describe: 'mount options' }),
  fsprofile: opt.string(),
  mkfsoptions: opt.string(),
  label: opt.string(),
  noformat: opt.flag(),
  'bytes-per-inode': opt.int({ removed: 'use --mkfsoptions' }),
} as const;

/** Sizes in MiB, as pykickstart reads them: whole numbers, no units. */
const SIZE_OPTIONS = {
  size: opt.int({ min: 1, describe: 'a size in MiB' }),
  grow: opt.flag(),
  maxsize: opt.int({ min: 1, describe: 'a size in MiB' }),
  recommended: opt.flag(),
  hibernation: opt.flag(),
  resize: opt.flag(),
} as const;

function checkFormat(options: OptionValues<typeof FORMAT_OPTIONS>, check: Check): void {
  if (options.noformat && given(options.mkfsoptions)) {
    check.error('--mkfsoptions has no effect with --noformat');
  }
  if (given(options.fsprofile) && given(options.mkfsoptions)) {
    check.error('--mkfsoptions and --fsprofile cannot be used together');
  }
}

function checkResize(options: OptionValues<typeof SIZE_OPTIONS>, check: Check): void {
  if (options.resize && !given(options.size)) check.error('--resize needs --size (the new size)');
}

/** `/home/` and `/home` are one mount point, as pykickstart normalises them. */
function mountKey(mountPoint: string | undefined): string | undefined {
  return mountPoint?.startsWith('/') ? mountPoint.replace(/\/+$/, '') || '/' : mountPoint;
}

/** pykickstart's RAID levels; it reads them in any case, and "1" as "RAID1". */
const RAID_LEVELS = ['RAID0', 'RAID1', 'RAID4', 'RAID5', 'RAID6', 'RAID10'] as const;
const BTRFS_LEVELS = ['raid0', 'raid1', 'raid10', 'single'] as const;

function checkLevel(
  option: string,
  value: string | undefined,
  levels: readonly string[],
  check: Check,
): void {
  if (value === undefined) return;
  const known = new Set(levels.map((level) => level.toUpperCase()));
  const upper = value.toUpperCase();
  if (!known.has(upper) && !known.has(`RAID${upper}`)) {
    check.error(`--${option} expects one of ${levels.join(', ')}, got "${value}"`);
  }
}

export const zerombr = defineCommand({ name: 'zerombr', options: {} });

/** --all, --linux and --none set one switch in pykickstart (the last wins); --list supersedes it. */
export const clearpart = defineCommand({
  name: 'clearpart',
  options: {
    all: opt.flag(),
    linux: opt.flag(),
    none: opt.flag(),
    list: opt.list({ describe: 'a comma-separated list of partitions' }),
    drives: opt.list({ describe: 'a comma-separated list of disks' }),
    initlabel: opt.flag(),
    disklabel: opt.string({ describe: 'a disk label type such as gpt' }),
    cdl: opt.flag(),
  },
  lastWins: [['all', 'linux', 'none']],
  validate(command, check) {
    const { list, ...options } = command.options;
    const superseded = (['all', 'linux', 'none'] as const).find((key) => options[key]);
    if (given(list) && superseded) check.warning(`--list supersedes --${superseded}`);
  },
});

export const ignoredisk = defineCommand({
  name: 'ignoredisk',
  options: {
    drives: opt.list({ describe: 'a comma-separated list of disks' }),
    'only-use': opt.list({ describe: 'a comma-separated list of disks' }),
    interactive: opt.flag({ removed: 'the installer no longer asks' }),
  },
  exclusive: [['drives', 'only-use']],
  validate(command, check) {
    const { drives, 'only-use': onlyUse } = command.options;
    if (!given(drives) && !given(onlyUse)) check.error('expects --drives or --only-use');
  },
});

export const reqpart = defineCommand({ name: 'reqpart', options: { 'add-boot': opt.flag() } });

export const autopart = defineCommand({
  name: 'autopart',
  options: {
    // "partition" is pykickstart's other name for plain.
    type: opt.choice(['lvm', 'btrfs', 'plain', 'partition', 'thinp'], { ignoreCase: true }),
    nolvm: opt.flag(),
    fstype: opt.string({ describe: 'a file system type' }),
    nohome: opt.flag(),
    noboot: opt.flag(),
    noswap: opt.flag(),
    hibernation: opt.flag(),
    ...LUKS_OPTIONS,
    ...HW_PASSPHRASE_OPTIONS,
  },
  // --nolvm is pykickstart's --type=plain, stored in the same place.
  lastWins: [['type', 'nolvm']],
  exclusive: [PBKDF_EXCLUSIVE, ['hibernation', 'noswap']],
  conflicts: EXPLICIT_LAYOUT,
  validate(command, check) {
    const { options } = command;
    const { fstype, type } = options;
    if (fstype === 'btrfs') check.error('--fstype=btrfs is not a file system choice here; use --type=btrfs');
    else if (type === 'btrfs' && given(fstype)) check.error('--fstype cannot be used with --type=btrfs');
    checkHwPassphrase(options, check);
  },
});

export const part = defineCommand({
  name: 'part',
  aliases: ['partition'],
  args: { min: 1, max: 1, describe: 'a mount point, swap, biosboot, pv.N, raid.N or btrfs.N' },
  options: {
    ...SIZE_OPTIONS,
    ondisk: opt.string({ aliases: ['ondrive'], describe: 'a disk' }),
    onpart: opt.string({ aliases: ['usepart'], describe: 'a partition' }),
    onbiosdisk: opt.string({ describe: 'a BIOS disk number' }),
    asprimary: opt.flag(),
    ...FORMAT_OPTIONS,
    fstype: opt.string({ aliases: ['type'], describe: 'a file system type' }),
    ...LUKS_OPTIONS,
    ...HW_PASSPHRASE_OPTIONS,
    active: opt.flag({ removed: 'the boot loader marks the partition it needs' }),
    start: opt.int({ removed: 'partitions are placed automatically' }),
    end: opt.int({ removed: 'partitions are placed automatically' }),
    align: opt.int({ min: 1, origin: 'mic', describe: 'an alignment in KiB' }),
    extoptions: opt.string({ origin: 'mic' }),
    'part-type': opt.string({ origin: 'mic', describe: 'a partition type GUID' }),
    uuid: opt.string({ origin: 'mic' }),
  },
  multiple: {
    key: (c) => (c.args[0] === 'swap' ? undefined : mountKey(c.args[0])),
    what: 'a partition with the mount point',
  },
  exclusive: [PBKDF_EXCLUSIVE],
  validate(command, check) {
    const { options } = command;
    checkHwPassphrase(options, check);
    if (options.resize && !given(options.onpart)) check.error('--resize can only be used with --onpart');
    checkResize(options, check);
    if (options.fstype === 'tmpfs' && (options.grow || given(options.maxsize))) {
      check.error('--fstype=tmpfs cannot be used with --grow or --maxsize');
    }
    checkFormat(options, check);
  },
});

export const raid = defineCommand({
  name: 'raid',
  args: { min: 1, max: null, describe: 'a mount point and the member partitions' },
  options: {
    device: opt.string({ required: true, describe: 'a RAID device name' }),
    level: opt.string({ describe: `one of ${RAID_LEVELS.join(', ')}` }),
    spares: opt.int({ min: 0 }),
    chunksize: opt.int({ min: 1, describe: 'a chunk size in KiB' }),
    useexisting: opt.flag(),
    ...FORMAT_OPTIONS,
    ...LUKS_OPTIONS,
  },
  multiple: { key: (c) => c.options.device, what: 'the RAID device' },
  exclusive: [PBKDF_EXCLUSIVE],
  validate(command, check) {
    const { options, args } = command;
    const existing = options.useexisting || options.noformat;
    checkLevel('level', options.level, RAID_LEVELS, check);
    if (!existing && args.length < 2) check.error('expects the member partitions after the mount point');
    if (existing && args.length > 1)
      check.error('an existing RAID device (--useexisting, --noformat) takes no members');
    if (!existing && !given(options.level)) check.error('a new RAID device needs --level');
    if (existing && options.device === '') check.error('an existing RAID device needs its name in --device');
    checkFormat(options, check);
  },
});

export const volgroup = defineCommand({
  name: 'volgroup',
  args: { min: 1, max: null, describe: 'a volume group name and its physical volumes' },
  options: {
    noformat: opt.flag(),
    useexisting: opt.flag(),
    pesize: opt.int({ min: 1, describe: 'an extent size in KiB' }),
    'reserved-space': opt.int({ min: 0, describe: 'a size in MiB' }),
    'reserved-percent': opt.int({ min: 1, max: 99 }),
  },
  multiple: { key: (c) => c.args[0], what: 'a volume group named' },
  validate(command, check) {
    const { options } = command;
    // pykickstart takes both; Anaconda then reserves the fixed amount.
    if (given(options['reserved-space']) && given(options['reserved-percent']))
      check.warning('--reserved-space is used, --reserved-percent is ignored');
    const existing = options.useexisting || options.noformat;
    const members = command.args.length - 1;
    if (!existing && members === 0) check.error('expects the physical volumes after the name');
    if (existing && members > 0)
      check.error('an existing volume group (--useexisting, --noformat) takes no members');
  },
});

export const logvol = defineCommand({
  name: 'logvol',
  args: { min: 1, max: 1, describe: 'a mount point, swap or none' },
  options: {
    vgname: opt.string({ required: true, describe: 'a volume group name' }),
    name: opt.string({ required: true, describe: 'a logical volume name' }),
    ...SIZE_OPTIONS,
    percent: opt.int({ min: 0, max: 100 }),
    useexisting: opt.flag(),
    ...FORMAT_OPTIONS,
    ...LUKS_OPTIONS,
    thinpool: opt.flag(),
    thin: opt.flag(),
    poolname: opt.string({ describe: 'a thin pool name' }),
    chunksize: opt.int({ min: 1, describe: 'a chunk size in KiB' }),
    metadatasize: opt.int({ min: 1, describe: 'a size in MiB' }),
    profile: opt.string(),
    cachesize: opt.int({ min: 1, describe: 'a size in MiB' }),
    cachemode: opt.choice(['writeback', 'writethrough']),
    cachepvs: opt.list({ describe: 'a comma-separated list of physical volumes' }),
  },
  multiple: { key: (c) => `${c.options.vgname}/${c.options.name}`, what: 'a logical volume' },
  exclusive: [['thin', 'thinpool'], ['size', 'percent'], PBKDF_EXCLUSIVE],
  validate(command, check) {
    const { options } = command;
    const existing = options.useexisting || options.noformat;
    const sized =
      given(options.size) || Boolean(options.percent) || options.recommended || options.hibernation;
    if (!existing && !sized) {
      check.error('a new logical volume needs a size: --size, --percent, --recommended or --hibernation');
    }
    if (options.thin && !given(options.poolname)) check.error('--thin needs --poolname');
    if (!options.thinpool && (given(options.chunksize) || given(options.metadatasize))) {
      check.error('--chunksize and --metadatasize apply to a thin pool (--thinpool) only');
    }
    const cache = given(options.cachesize);
    if (!cache && (given(options.cachemode) || given(options.cachepvs))) {
      check.error('--cachemode and --cachepvs need --cachesize');
    }
    if (cache && !given(options.cachepvs)) check.error('--cachesize needs --cachepvs');
    if (cache && existing) check.error('a cache cannot be added to an existing logical volume');
    if (cache && options.thin) check.error('a thin volume cannot be cached');
    if (options.resize && !options.useexisting) check.error('--resize can only be used with --useexisting');
    checkResize(options, check);
    checkFormat(options, check);
  },
});

export const btrfs = defineCommand({
  name: 'btrfs',
  args: { min: 1, max: null, describe: 'a mount point and the member partitions (or the parent volume)' },
  options: {
    data: opt.string({ describe: 'a RAID level' }),
    metadata: opt.string({ describe: 'a RAID level' }),
    label: opt.string(),
    noformat: opt.flag({ aliases: ['useexisting'] }),
    subvol: opt.flag(),
    name: opt.string({ describe: 'a subvolume name' }),
    parent: opt.string({ describe: 'the parent volume' }),
    mkfsoptions: opt.string(),
  },
  multiple: {
    key: (c) => (c.args[0] === 'none' ? undefined : mountKey(c.args[0])),
    what: 'a btrfs volume with the mount point',
  },
  validate(command, check) {
    const { options, args } = command;
    checkLevel('data', options.data, BTRFS_LEVELS, check);
    checkLevel('metadata', options.metadata, BTRFS_LEVELS, check);
    if (options.subvol && !given(options.name)) check.error('--subvol needs --name');
    if (options.subvol && args.length < 2)
      check.error('a subvolume expects its mount point and parent volume');
    else if (!options.subvol && !options.noformat && args.length < 2) {
      check.error('expects the member partitions after the mount point');
    }
    if (options.noformat && given(options.mkfsoptions))
      check.error('--mkfsoptions has no effect with --noformat');
  },
});

export const mount = defineCommand({
  name: 'mount',
  args: { min: 2, max: 2, describe: 'a device and a mount point' },
  options: {
    reformat: opt.string({ valueOptional: true, describe: 'a file system type' }),
    mkfsoptions: opt.string(),
    mountoptions: opt.string(),
  },
  multiple: {
    key: (c) => (c.args[1] === 'none' || c.args[1] === 'swap' ? undefined : mountKey(c.args[1])),
    what: 'a device mounted at',
  },
  conflicts: [...EXPLICIT_LAYOUT, 'autopart'],
  validate(command, check) {
    const { reformat, mkfsoptions } = command.options;
    const mountPoint = command.args[1];
    if (mountPoint !== undefined && mountPoint.toLowerCase() !== 'none' && !mountPoint.startsWith('/'))
      check.error(`the mount point must be an absolute path or none, got "${mountPoint}"`);
    if (given(mkfsoptions) && !given(reformat)) check.error('--mkfsoptions needs --reformat');
  },
});

export const snapshot = defineCommand({
  name: 'snapshot',
  args: { min: 1, max: 1, describe: 'a volume group/logical volume name' },
  options: {
    name: opt.string({ required: true, describe: 'a snapshot name' }),
    when: opt.choice(['pre-install', 'post-install'], { required: true, ignoreCase: true }),
  },
  multiple: { key: (c) => c.options.name, what: 'a snapshot named', duplicateIsError: true },
  validate(command, check) {
    const origin = command.args[0];
    if (origin !== undefined && !/^[^/]+\/[^/]+$/.test(origin))
      check.error(`the origin must be VG/LV (a volume group and a logical volume), got "${origin}"`);
  },
});

import { defineCommand } from '../command-spec.ts';
import { opt } from '../options.ts';

export const FILESYSTEMS = ['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'vfat', 'efi', 'swap', 'biosboot', 'prepboot'] as const;

export const part = defineCommand({
  name: 'part',
  aliases: ['partition'],
  args: { min: 1, max: 1, describe: 'a mount point, swap, biosboot or raid.N' },
  options: {
    size: opt.int({ min: 1, describe: 'a size in MiB' }),
    grow: opt.flag(),
    maxsize: opt.int({ min: 1, describe: 'a size in MiB' }),
    fstype: opt.string({ describe: 'a file system type' }),
    ondisk: opt.string({ aliases: ['ondrive'] }),
    label: opt.string(),
    fsoptions: opt.string(),
    asprimary: opt.flag(),
    noformat: opt.flag(),
    onpart: opt.string({ aliases: ['usepart'] }),
    recommended: opt.flag(),
    align: opt.int({ min: 1, origin: 'mic', describe: 'an alignment in KiB' }),
    extoptions: opt.string({ origin: 'mic' }),
    'part-type': opt.string({ origin: 'mic' }),
    uuid: opt.string({ origin: 'mic' }),
  },
  multiple: {
    key: (c) => (c.args[0] === 'swap' ? undefined : c.args[0]),
    what: 'a partition with the mount point',
  },
});

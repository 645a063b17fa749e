import { defineCommand } from '../command-spec.ts';
import { given, opt } from '../options.ts';

const LEGACY_LOADER = 'GRUB replaced it';

export const bootloader = defineCommand({
  name: 'bootloader',
  options: {
    location: opt.choice(['mbr', 'partition', 'none', 'boot']),
    'boot-drive': opt.string({ describe: 'a disk' }),
    driveorder: opt.list({ describe: 'a comma-separated list of disks' }),
    append: opt.string({ describe: 'kernel arguments' }),
    // GRUB reads -1 as: wait for a choice.
    timeout: opt.int({ describe: 'a number of seconds' }),
    default: opt.string({ describe: 'a boot entry' }),
    password: opt.string(),
    iscrypted: opt.flag(),
    md5pass: opt.string({ describe: 'an encrypted password' }),
    leavebootorder: opt.flag(),
    extlinux: opt.flag(),
    sdboot: opt.flag(),
    nombr: opt.flag(),
    disabled: opt.flag(),
    upgrade: opt.flag({ removed: 'upgrades are not done by kickstart any more' }),
    lba32: opt.flag({ removed: 'it is always on' }),
    linear: opt.flag({ removed: LEGACY_LOADER }),
    nolinear: opt.flag({ removed: LEGACY_LOADER }),
    useLilo: opt.flag({ removed: LEGACY_LOADER }),
    menus: opt.string({ origin: 'mic', describe: 'menu entries as name:label:arguments' }),
    ptable: opt.choice(['gpt', 'msdos'], { origin: 'mic' }),
  },
  exclusive: [['extlinux', 'sdboot']],
  validate(command, check) {
    if (given(command.options.password) && given(command.options.md5pass))
      check.warning('--md5pass is used, --password is ignored');
    if (command.options['boot-drive']?.includes(','))
      check.error('--boot-drive takes one drive; see --driveorder');
  },
});

export const zipl = defineCommand({
  name: 'zipl',
  options: {
    'secure-boot': opt.flag(),
    'no-secure-boot': opt.flag(),
    'force-secure-boot': opt.flag(),
  },
  lastWins: [['secure-boot', 'no-secure-boot', 'force-secure-boot']],
});

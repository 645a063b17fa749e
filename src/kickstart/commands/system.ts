/** Settings of the installed system beyond accounts and storage: SELinux, services, first boot and X. */
import { defineCommand } from '../command-spec.ts';
import { given, opt } from '../options.ts';

export const selinux = defineCommand({
  name: 'selinux',
  options: {
    enforcing: opt.flag(),
    permissive: opt.flag(),
    disabled: opt.flag(),
  },
  lastWins: [['enforcing', 'permissive', 'disabled']],
});

export const services = defineCommand({
  name: 'services',
  options: {
    enabled: opt.list({ describe: 'a comma-separated list of services' }),
    disabled: opt.list({ describe: 'a comma-separated list of services' }),
  },
  validate(command, check) {
    const { enabled, disabled } = command.options;
    if (!given(enabled) && !given(disabled)) check.error('expects --enabled or --disabled');
  },
});

export const firstboot = defineCommand({
  name: 'firstboot',
  options: {
    enable: opt.flag({ aliases: ['enabled'] }),
    disable: opt.flag({ aliases: ['disabled'] }),
    reconfig: opt.flag(),
  },
  lastWins: [['enable', 'disable', 'reconfig']],
});

const AUTOMATIC_X = 'X configures the display itself';

export const xconfig = defineCommand({
  name: 'xconfig',
  options: {
    startxonboot: opt.flag(),
    defaultdesktop: opt.string({ describe: 'a desktop such as GNOME' }),
    card: opt.string({ removed: AUTOMATIC_X }),
    driver: opt.string({ removed: AUTOMATIC_X }),
    videoram: opt.string({ removed: AUTOMATIC_X }),
    monitor: opt.string({ removed: AUTOMATIC_X }),
    hsync: opt.string({ removed: AUTOMATIC_X }),
    vsync: opt.string({ removed: AUTOMATIC_X }),
    noprobe: opt.flag({ removed: AUTOMATIC_X }),
    resolution: opt.string({ removed: AUTOMATIC_X }),
    depth: opt.string({ removed: AUTOMATIC_X }),
    server: opt.string({ removed: AUTOMATIC_X }),
  },
});

export const skipx = defineCommand({ name: 'skipx', options: {} });

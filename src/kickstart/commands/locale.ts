import { defineCommand } from '../command-spec.ts';
import { given, opt } from '../options.ts';

export const lang = defineCommand({
  name: 'lang',
  args: { min: 1, max: 1, describe: 'a language such as en_US.UTF-8' },
  options: { addsupport: opt.list() },
});

export const keyboard = defineCommand({
  name: 'keyboard',
  args: { min: 0, max: 1, describe: 'a keyboard layout' },
  options: {
    vckeymap: opt.string(),
    xlayouts: opt.list(),
    switch: opt.list(),
  },
  validate(command, check) {
    const { vckeymap, xlayouts } = command.options;
    if (command.args.length === 0 && !given(vckeymap) && !given(xlayouts)) {
      check.error('expects a layout, --vckeymap or --xlayouts');
    }
  },
});

export const timezone = defineCommand({
  name: 'timezone',
  args: { min: 0, max: 1, describe: 'a time zone such as Europe/Helsinki' },
  options: {
    utc: opt.flag({ deprecatedAliases: { isUtc: 'use --utc' } }),
    nontp: opt.flag({ deprecated: 'use timesource --ntp-disable' }),
    ntpservers: opt.list({ deprecated: 'use the timesource command' }),
  },
  exclusive: [['nontp', 'ntpservers']],
  validate(command, check) {
    // pykickstart lets an option stand in for the zone (`timezone --utc` keeps the default zone).
    if (command.args.length === 0 && Object.keys(command.options).length === 0)
      check.error('expects a time zone');
  },
});

export const timesource = defineCommand({
  name: 'timesource',
  options: {
    'ntp-server': opt.string({ describe: 'an NTP server' }),
    'ntp-pool': opt.string({ describe: 'an NTP pool' }),
    'ntp-disable': opt.flag(),
    nts: opt.flag(),
  },
  multiple: {},
  exclusive: [['ntp-server', 'ntp-pool', 'ntp-disable']],
  validate(command, check) {
    const { nts, ...sources } = command.options;
    if (!Object.values(sources).some(given)) check.error('expects --ntp-server, --ntp-pool or --ntp-disable');
    if (nts && sources['ntp-disable']) check.warning('--nts has no effect with --ntp-disable');
  },
});

/** Disks that must be attached or loaded before partitioning sees them: iSCSI, FCoE, zFCP and driver disks. */
import { defineCommand } from '../command-spec.ts';
import { given, opt } from '../options.ts';

export const iscsiname = defineCommand({
  name: 'iscsiname',
  args: { min: 1, max: 1, describe: 'an iSCSI initiator name' },
  options: {},
});

export const iscsi = defineCommand({
  name: 'iscsi',
  options: {
    ipaddr: opt.string({ required: true, describe: 'a target address' }),
    target: opt.string({ describe: 'a target IQN' }),
    port: opt.int({ describe: 'a port number' }),
    user: opt.string(),
    password: opt.string(),
    'reverse-user': opt.string(),
    'reverse-password': opt.string(),
    iface: opt.string({ describe: 'a network interface' }),
  },
  multiple: {},
});

export const fcoe = defineCommand({
  name: 'fcoe',
  options: {
    nic: opt.string({ required: true, describe: 'a network interface' }),
    dcb: opt.flag(),
    autovlan: opt.flag(),
  },
  multiple: { key: (c) => c.options.nic, what: 'FCoE on the interface' },
});

export const zfcp = defineCommand({
  name: 'zfcp',
  options: {
    devnum: opt.string({ required: true, describe: 'a device number' }),
    wwpn: opt.string(),
    fcplun: opt.string(),
  },
  multiple: {},
  validate(command, check) {
    // A whole adapter (its device number alone) or one LUN behind it (all three).
    const { wwpn, fcplun } = command.options;
    if (!given(wwpn) !== !given(fcplun))
      check.error('takes --devnum alone, or --devnum with both --wwpn and --fcplun');
  },
});

export const driverdisk = defineCommand({
  name: 'driverdisk',
  args: { min: 0, max: 1, describe: 'the partition holding the driver disk' },
  options: {
    source: opt.string({ describe: 'a URL or path' }),
    biospart: opt.string({ describe: 'a BIOS partition' }),
  },
  multiple: {},
  validate(command, check) {
    const sources = [
      ...(command.args.length > 0 ? ['a partition'] : []),
      ...(given(command.options.source) ? ['--source'] : []),
      ...(given(command.options.biospart) ? ['--biospart'] : []),
    ];
    if (sources.length === 0) check.error('expects a partition, --source or --biospart');
    if (sources.length > 1)
      check.error(`takes only one of a partition, --source or --biospart, got ${sources.join(' and ')}`);
  },
});

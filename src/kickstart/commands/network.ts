import { defineCommand } from '../command-spec.ts';
import { given, opt } from '../options.ts';

/** DNS settings that belong to one connection, so pykickstart wants to know which. */
const PER_DEVICE_DNS = [
  'ipv4-dns-search',
  'ipv6-dns-search',
  'ipv4-ignore-auto-dns',
  'ipv6-ignore-auto-dns',
] as const;

export const network = defineCommand({
  name: 'network',
  options: {
    bootproto: opt.choice(['dhcp', 'bootp', 'static', 'query', 'ibft']),
    device: opt.string({ describe: 'an interface name, MAC address, link or bootif' }),
    ip: opt.string({ describe: 'an IPv4 address' }),
    netmask: opt.string(),
    gateway: opt.string(),
    ipv6: opt.string({ describe: 'an IPv6 address, auto or dhcp' }),
    ipv6gateway: opt.string(),
    nameserver: opt.list(),
    nodns: opt.flag(),
    hostname: opt.string(),
    onboot: opt.bool(),
    activate: opt.flag(),
    'no-activate': opt.flag(),
    nodefroute: opt.flag(),
    noipv4: opt.flag(),
    noipv6: opt.flag(),
    notksdevice: opt.flag(),
    dhcpclass: opt.string(),
    mtu: opt.string(),
    ethtool: opt.string(),
    essid: opt.string(),
    wepkey: opt.string(),
    wpakey: opt.string(),
    bondslaves: opt.string(),
    bondopts: opt.string(),
    // pykickstart takes any text here; NetworkManager checks it when the device is made.
    vlanid: opt.string({ describe: 'a VLAN id' }),
    interfacename: opt.string(),
    teamslaves: opt.string(),
    teamconfig: opt.string(),
    bridgeslaves: opt.string(),
    bridgeopts: opt.string(),
    bindto: opt.choice(['mac']),
    'ipv4-dns-search': opt.string(),
    'ipv6-dns-search': opt.string(),
    'ipv4-ignore-auto-dns': opt.flag(),
    'ipv6-ignore-auto-dns': opt.flag(),
  },
  multiple: { key: (c) => c.options.device, what: 'the network device' },
  lastWins: [['activate', 'no-activate']],
  validate(command, check) {
    const { bridgeopts, bridgeslaves, bindto, vlanid, bondopts, device } = command.options;
    if (!given(device)) {
      for (const perDevice of PER_DEVICE_DNS) {
        if (given(command.options[perDevice])) check.error(`--${perDevice} needs --device`);
      }
    }
    if (bridgeopts !== undefined && given(bridgeopts)) {
      if (!given(bridgeslaves)) check.error('--bridgeopts needs --bridgeslaves');
      const malformed = bridgeopts.split(',').some((item) => !/^[^=]*=[^=]+$/.test(item));
      if (malformed) check.error('--bridgeopts expects key=value options separated by commas');
    }
    if (bindto === 'mac' && given(vlanid) && !given(bondopts)) {
      check.error('--bindto=mac does not apply to a VLAN device');
    }
  },
});

export const firewall = defineCommand({
  name: 'firewall',
  options: {
    enabled: opt.flag({ aliases: ['enable'] }),
    disabled: opt.flag({ aliases: ['disable'] }),
    'use-system-defaults': opt.flag(),
    service: opt.list(),
    'remove-service': opt.list(),
    port: opt.list({ describe: 'a comma-separated list of port:protocol' }),
    trust: opt.repeat({ describe: 'an interface' }),
    ssh: opt.flag(),
    smtp: opt.flag(),
    http: opt.flag(),
    ftp: opt.flag(),
    high: opt.string({ removed: 'use --service and --port' }),
    medium: opt.string({ removed: 'use --service and --port' }),
    telnet: opt.flag({ removed: 'use --service=telnet' }),
  },
  lastWins: [['enabled', 'disabled']],
});

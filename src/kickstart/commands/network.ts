import { defineCommand } from '../command-spec.ts';
import { opt } from '../options.ts';

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
    vlanid: opt.int({ min: 0, max: 4095, describe: 'a VLAN id' }),
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
  exclusive: [['activate', 'no-activate']],
  validate(command, check) {
    const { bridgeopts, bridgeslaves, bindto, vlanid, bondopts, interfacename } = command.options;
    if (bridgeopts !== undefined) {
      if (bridgeslaves === undefined) check.error('--bridgeopts needs --bridgeslaves');
      const malformed = bridgeopts.split(',').some((item) => !/^[^=]*=[^=]+$/.test(item));
      if (malformed) check.error('--bridgeopts expects key=value options separated by commas');
    }
    if (bindto === 'mac' && vlanid !== undefined && bondopts === undefined) {
      check.error('--bindto=mac does not apply to a VLAN device');
    }
    if (interfacename !== undefined) {
      const problem = interfaceNameProblem(interfacename);
      if (problem) check.error(problem);
    }
  },
});

/** pykickstart's rules for a VLAN interface name: `NAME.ID` or `vlanID`, the id within 0–4095. */
function interfaceNameProblem(name: string): string | undefined {
  let id: string | undefined;
  const dot = name.indexOf('.');
  if (dot >= 0) {
    if (name.slice(0, dot) === 'vlan') return '--interfacename cannot be "vlan.ID"; use "vlanID"';
    id = name.slice(dot + 1);
    if (!/^\d+$/.test(id)) return `--interfacename "${name}" has a dot, so a VLAN id must follow it`;
  }
  if (name.startsWith('vlan')) {
    id = name.slice(4);
    if (!/^\d+$/.test(id)) return `--interfacename "${name}" starts with "vlan", so a VLAN id must follow it`;
  }
  if (id !== undefined && Number(id) > 4095) return `--interfacename "${name}" has a VLAN id beyond 4095`;
  return undefined;
}

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
  exclusive: [['enabled', 'disabled']],
});

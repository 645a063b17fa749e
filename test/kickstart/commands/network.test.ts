import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandOf, commandsOf } from '../../../src/kickstart/query.ts';
import { cases, ks, parseClean } from './helpers.ts';

describe('network', () => {
  test('a static address, and one device a line', () => {
    const devices = commandsOf(
      parseClean(
        ks(
          'network --device=eth0 --bootproto=static --ip=10.0.2.15 --netmask=255.255.255.0 --gateway=10.0.2.254 --nameserver=10.0.2.1,10.0.2.2 --onboot=yes --hostname=box',
          'network --device=eth1 --bootproto=dhcp --onboot=off --no-activate --ipv6=auto',
        ),
      ),
      'network',
    );
    assert.deepEqual(
      devices.map((d) => d.options),
      [
        {
          device: 'eth0',
          bootproto: 'static',
          ip: '10.0.2.15',
          netmask: '255.255.255.0',
          gateway: '10.0.2.254',
          nameserver: ['10.0.2.1', '10.0.2.2'],
          onboot: true,
          hostname: 'box',
        },
        { device: 'eth1', bootproto: 'dhcp', onboot: false, 'no-activate': true, ipv6: 'auto' },
      ],
    );
  });
  test('bonds, VLANs, bridges and DNS search', () => {
    const options = (line: string) => commandOf(parseClean(ks(line)), 'network')?.options;
    assert.deepEqual(options('network --device=bond0 --bondslaves=em1,em2 --bondopts=mode=active-backup'), {
      device: 'bond0',
      bondslaves: 'em1,em2',
      bondopts: 'mode=active-backup',
    });
    assert.deepEqual(options('network --device=em1 --vlanid=171 --interfacename=vlan171'), {
      device: 'em1',
      vlanid: '171',
      interfacename: 'vlan171',
    });
    assert.deepEqual(options('network --device=br0 --bridgeslaves=em1 --bridgeopts=stp=yes,priority=40'), {
      device: 'br0',
      bridgeslaves: 'em1',
      bridgeopts: 'stp=yes,priority=40',
    });
    assert.deepEqual(options('network --device=em1 --ipv4-dns-search=example.com --ipv4-ignore-auto-dns'), {
      device: 'em1',
      'ipv4-dns-search': 'example.com',
      'ipv4-ignore-auto-dns': true,
    });
  });
  cases([
    {
      name: 'a bad --bootproto',
      lines: ['lang C', 'network --bootproto=manual'],
      errors: ['line 2: network: --bootproto expects one of dhcp, bootp, static, query, ibft, got "manual"'],
    },
    {
      name: '--onboot is yes or no',
      lines: ['network --onboot=maybe'],
      errors: ['line 1: network: --onboot expects yes or no, got "maybe"'],
    },
    {
      name: 'a VLAN id is text to pykickstart (NetworkManager checks it)',
      lines: ['network --device=em1 --vlanid=ID'],
    },
    {
      name: 'an --ethtool value that starts with a dash and holds a space is a value',
      lines: ['network --device=eth0 --ethtool "-K eth0 tso off"', 'network --device=eth1 --ethtool "-K"'],
      errors: ['line 2: network: --ethtool expects a value', 'line 2: network: unknown option "-K"'],
    },
    {
      name: 'per-connection DNS settings need --device',
      lines: [
        'network --ipv4-dns-search example.com',
        'network --ipv6-dns-search=example.com --ipv4-ignore-auto-dns --ipv6-ignore-auto-dns',
      ],
      errors: [
        'line 1: network: --ipv4-dns-search needs --device',
        'line 2: network: --ipv6-dns-search needs --device',
        'line 2: network: --ipv4-ignore-auto-dns needs --device',
        'line 2: network: --ipv6-ignore-auto-dns needs --device',
      ],
    },
    {
      name: 'the same device twice',
      lines: ['network --device=eth0 --bootproto=dhcp', 'network --device=eth0 --bootproto=static'],
      warnings: [
        'line 2: network: the network device "eth0" was already declared at line 1; the last one wins',
      ],
    },
    {
      name: '--bridgeopts needs --bridgeslaves and key=value items',
      lines: ['network --device=br0 --bridgeopts=stp'],
      errors: [
        'line 1: network: --bridgeopts needs --bridgeslaves',
        'line 1: network: --bridgeopts expects key=value options separated by commas',
      ],
    },
    {
      name: '--bindto=mac is not for VLANs',
      lines: ['network --device=em1 --vlanid=10 --bindto=mac'],
      errors: ['line 1: network: --bindto=mac does not apply to a VLAN device'],
    },
    {
      // Only RHEL 7's syntax checked the name; NetworkManager checks it now.
      name: 'any VLAN interface name, as in pykickstart DEVEL',
      lines: [
        'network --device=em1 --vlanid=10 --interfacename=vlanX',
        'network --device=em2 --interfacename=em2.x',
      ],
    },
    {
      name: '--activate and --no-activate: the last one wins',
      lines: [
        'network --device=em1 --activate --no-activate',
        'network --device=em2 --no-activate --activate',
      ],
      warnings: [
        'line 1: network: --no-activate overrides --activate given before it',
        'line 2: network: --activate overrides --no-activate given before it',
      ],
    },
    {
      name: 'an ambiguous prefix',
      lines: ['network --ipv4=x'],
      errors: [
        'line 1: network: ambiguous option "--ipv4" could be --ipv4-dns-search, --ipv4-ignore-auto-dns',
      ],
    },
    {
      name: 'takes no arguments',
      lines: ['network eth0'],
      errors: ['line 1: network: takes no arguments, got "eth0"'],
    },
  ]);
});

describe('firewall', () => {
  test('services, ports and trusted interfaces', () => {
    const firewall = commandOf(
      parseClean(
        ks(
          'firewall --enabled --service=ssh,mdns --port=1234:udp,47 --trust=eth0 --trust=eth1 --remove-service=cockpit',
        ),
      ),
      'firewall',
    );
    assert.deepEqual(firewall?.options, {
      enabled: true,
      service: ['ssh', 'mdns'],
      port: ['1234:udp', '47'],
      trust: ['eth0', 'eth1'],
      'remove-service': ['cockpit'],
    });
  });
  test('--disable and --enable are spellings of --disabled and --enabled', () => {
    assert.deepEqual(commandOf(parseClean(ks('firewall --disable')), 'firewall')?.options, {
      disabled: true,
    });
    assert.deepEqual(commandOf(parseClean(ks('firewall --enable --ssh')), 'firewall')?.options, {
      enabled: true,
      ssh: true,
    });
  });
  cases([
    {
      name: 'enabled or disabled: the last one wins',
      lines: ['lang C', 'firewall --enabled --disabled'],
      warnings: ['line 2: firewall: --disabled overrides --enabled given before it'],
    },
    {
      name: 'a prefix shared by two options',
      lines: ['firewall --s=ssh'],
      errors: ['line 1: firewall: ambiguous option "--s" could be --service, --smtp, --ssh'],
    },
    {
      name: 'a missing value',
      lines: ['firewall --service'],
      errors: ['line 1: firewall: --service expects a comma-separated list'],
    },
    {
      name: 'an unknown option',
      lines: ['firewall --enabled --icmp'],
      errors: ['line 1: firewall: unknown option "--icmp"'],
    },
    {
      name: 'security levels are gone',
      lines: ['firewall --high eth0'],
      errors: ['line 1: firewall: --high is no longer supported: use --service and --port'],
    },
  ]);
});

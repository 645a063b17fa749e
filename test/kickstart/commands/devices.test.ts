import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandOf, commandsOf } from '../../../src/kickstart/query.ts';
import { cases, ks, parseClean } from './helpers.ts';

describe('iscsi and iscsiname', () => {
  test('an initiator name and two targets', () => {
    const parsed = parseClean(
      ks(
        'iscsiname iqn.2024-01.com.example:host',
        'iscsi --ipaddr=10.0.0.1 --port=3260 --target=iqn.2024-01.com.example:disk1 --user=u --password=p --iface=eth1',
        'iscsi --ipaddr=10.0.0.2 --reverse-user=ru --reverse-password=rp',
      ),
    );
    assert.deepEqual(commandOf(parsed, 'iscsiname')?.args, ['iqn.2024-01.com.example:host']);
    assert.deepEqual(
      commandsOf(parsed, 'iscsi').map((i) => i.options),
      [
        {
          ipaddr: '10.0.0.1',
          port: 3260,
          target: 'iqn.2024-01.com.example:disk1',
          user: 'u',
          password: 'p',
          iface: 'eth1',
        },
        { ipaddr: '10.0.0.2', 'reverse-user': 'ru', 'reverse-password': 'rp' },
      ],
    );
  });
  cases([
    {
      name: 'iscsi needs --ipaddr',
      lines: ['lang C', 'iscsi --port=3260'],
      errors: ['line 2: iscsi: --ipaddr is required'],
    },
    {
      name: 'iscsi --port is a number',
      lines: ['iscsi --ipaddr=10.0.0.1 --port=iscsi', "iscsi --ipaddr=10.0.0.1 --port=''"],
      errors: [
        'line 1: iscsi: --port expects a number, got "iscsi"',
        'line 2: iscsi: --port expects a number, got ""',
      ],
    },
    {
      name: 'iscsiname needs a name',
      lines: ['iscsiname'],
      errors: ['line 1: iscsiname: expects 1 argument (an iSCSI initiator name), got 0'],
    },
    {
      name: 'an ambiguous prefix',
      lines: ['iscsi --ipaddr=a --reverse=x'],
      errors: ['line 1: iscsi: ambiguous option "--reverse" could be --reverse-password, --reverse-user'],
    },
  ]);
});

describe('fcoe and zfcp', () => {
  test('valid forms', () => {
    const parsed = parseClean(
      ks(
        'fcoe --nic=eth2 --dcb --autovlan',
        'zfcp --devnum=0.0.4000 --wwpn=0x5005076300c213e9 --fcplun=0x5022000000000000',
        'zfcp --devnum=0.0.4001',
      ),
    );
    assert.deepEqual(commandOf(parsed, 'fcoe')?.options, {
      nic: 'eth2',
      dcb: true,
      autovlan: true,
    });
    assert.equal(commandsOf(parsed, 'zfcp').length, 2);
  });
  cases([
    { name: 'fcoe needs --nic', lines: ['fcoe --dcb'], errors: ['line 1: fcoe: --nic is required'] },
    {
      name: 'fcoe on one interface twice',
      lines: ['fcoe --nic=eth2', 'fcoe --nic=eth2 --dcb'],
      warnings: [
        'line 2: fcoe: FCoE on the interface "eth2" was already declared at line 1; the last one wins',
      ],
    },
    {
      name: 'zfcp needs --devnum',
      lines: ['zfcp --wwpn=1 --fcplun=2'],
      errors: ['line 1: zfcp: --devnum is required'],
    },
    {
      name: 'zfcp: a LUN needs both its port and its number',
      lines: ['zfcp --devnum=1 --wwpn=2', 'zfcp --devnum=1 --fcplun=3'],
      errors: [
        'line 1: zfcp: takes --devnum alone, or --devnum with both --wwpn and --fcplun',
        'line 2: zfcp: takes --devnum alone, or --devnum with both --wwpn and --fcplun',
      ],
    },
    {
      name: 'fcoe has no --mode in pykickstart',
      lines: ['fcoe --nic=eth2 --mode=fabric'],
      errors: ['line 1: fcoe: unknown option "--mode"'],
    },
  ]);
});

describe('driverdisk', () => {
  test('a partition, a source or a BIOS partition', () => {
    const disks = commandsOf(
      parseClean(ks('driverdisk sdb1', 'driverdisk --source=http://d/dd.iso', 'driverdisk --biospart=82p2')),
      'driverdisk',
    );
    assert.deepEqual(
      disks.map((d) => [d.args, d.options]),
      [
        [['sdb1'], {}],
        [[], { source: 'http://d/dd.iso' }],
        [[], { biospart: '82p2' }],
      ],
    );
  });
  cases([
    {
      name: 'needs one of them',
      lines: ['driverdisk'],
      errors: ['line 1: driverdisk: expects a partition, --source or --biospart'],
    },
    {
      name: 'only one of them',
      lines: ['driverdisk sdb1 --source=http://d'],
      errors: [
        'line 1: driverdisk: takes only one of a partition, --source or --biospart, got a partition and --source',
      ],
    },
    {
      name: 'one partition',
      lines: ['driverdisk sdb1 sdc1'],
      errors: [
        'line 1: driverdisk: too many arguments (the partition holding the driver disk): "sdb1" "sdc1"',
      ],
    },
  ]);
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseKickstart } from '../../../src/kickstart/index.ts';
import { cases, ks } from './helpers.ts';

describe('commands pykickstart dropped', () => {
  test('are not kept, whatever their options', () => {
    const result = parseKickstart(ks('auth --useshadow --passalgo=sha512', 'install', 'lang C'));
    assert.deepEqual(result.errors, []);
    assert.deepEqual(
      result.kickstart.commands.map((c) => c.name),
      ['lang'],
    );
  });
  cases([
    {
      name: 'auth and authconfig',
      lines: ['auth --enableshadow', 'authconfig --passalgo=sha512'],
      warnings: [
        'line 1: auth: dropped from pykickstart (use authselect); ignored',
        'line 2: authconfig: dropped from pykickstart (use authselect); ignored',
      ],
    },
    {
      name: 'install and upgrade',
      lines: ['install', 'upgrade'],
      warnings: [
        'line 1: install: installing is the only mode now; ignored',
        'line 2: upgrade: upgrades by kickstart were dropped; ignored',
      ],
    },
    {
      name: 'RHEL 5 era hardware commands',
      lines: [
        'key --skip',
        'mouse generic3ps/2',
        'monitor --noprobe',
        'langsupport --default=en_US en_US',
        'interactive',
      ],
      warnings: [
        'line 1: key: the installation number is no longer used; ignored',
        'line 2: mouse: hardware is detected automatically now; ignored',
        'line 3: monitor: hardware is detected automatically now; ignored',
        'line 4: langsupport: dropped from pykickstart (use lang --addsupport); ignored',
        'line 5: interactive: dropped from pykickstart; ignored',
      ],
    },
    {
      name: 'boot loader and device commands',
      lines: [
        'lilo --location=mbr',
        'lilocheck',
        'device scsi aic7xxx',
        'deviceprobe',
        'autostep --autoscreenshot',
      ],
      warnings: [
        'line 1: lilo: LILO is gone (use bootloader); ignored',
        'line 2: lilocheck: LILO is gone; ignored',
        'line 3: device: kernel modules are loaded automatically now; ignored',
        'line 4: deviceprobe: hardware is detected automatically now; ignored',
        'line 5: autostep: dropped from pykickstart; ignored',
      ],
    },
    {
      name: 'storage commands the installer now handles itself',
      lines: ['dmraid --name=x --dev=sda', 'multipath --name=mp', 'nvdimm use --namespace=n'],
      warnings: [
        'line 1: dmraid: firmware RAID sets are found automatically now; ignored',
        'line 2: multipath: multipath devices are found automatically now; ignored',
        'line 3: nvdimm: dropped from pykickstart; ignored',
      ],
    },
    {
      name: 'vnc gave way to RDP',
      lines: ['vnc --password=secret'],
      warnings: ['line 1: vnc: the installer offers RDP instead (use rdp); ignored'],
    },
    {
      name: 'a command nobody knows is still an error',
      lines: ['lang C', 'frobnicate --now'],
      errors: ['line 2: unknown command "frobnicate"'],
    },
  ]);
});

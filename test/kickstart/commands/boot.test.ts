import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandOf } from '../../../src/kickstart/query.ts';
import { cases, ks, parseClean } from './helpers.ts';

describe('bootloader', () => {
  test("pykickstart's options", () => {
    const bootloader = commandOf(
      parseClean(
        ks(
          'bootloader --location=mbr --boot-drive=sda --driveorder=sda,sdb --append="console=ttyS0 quiet" --timeout=5 --default=linux --iscrypted --password=grub.pbkdf2.x --leavebootorder',
        ),
      ),
      'bootloader',
    );
    assert.deepEqual(bootloader?.options, {
      location: 'mbr',
      'boot-drive': 'sda',
      driveorder: ['sda', 'sdb'],
      append: 'console=ttyS0 quiet',
      timeout: 5,
      default: 'linux',
      iscrypted: true,
      password: 'grub.pbkdf2.x',
      leavebootorder: true,
    });
  });
  test('--disable is a prefix of --disabled', () => {
    assert.deepEqual(commandOf(parseClean(ks('bootloader --disable')), 'bootloader')?.options, {
      disabled: true,
    });
  });
  test("mic's --menus and --ptable", () => {
    assert.deepEqual(
      commandOf(
        parseClean(ks('bootloader --ptable=gpt --menus="install:Wipe and Install:systemd.unit=x:test"')),
        'bootloader',
      )?.options,
      { ptable: 'gpt', menus: 'install:Wipe and Install:systemd.unit=x:test' },
    );
  });
  cases([
    {
      name: 'an --append that starts with a dash and holds a space is the value',
      lines: ['bootloader --append "-quiet x" --timeout=-1'],
    },
    {
      name: '--md5pass wins over --password, as in pykickstart',
      lines: ['bootloader --password=a --md5pass=b'],
      warnings: ['line 1: bootloader: --md5pass is used, --password is ignored'],
    },
    {
      name: 'a bad --location',
      lines: ['lang C', 'bootloader --location=disk'],
      errors: ['line 2: bootloader: --location expects one of mbr, partition, none, boot, got "disk"'],
    },
    {
      name: '--timeout is a number',
      lines: ['bootloader --timeout=soon'],
      errors: ['line 1: bootloader: --timeout expects a number, got "soon"'],
    },
    {
      name: 'one boot drive',
      lines: ['bootloader --boot-drive=sda,sdb'],
      errors: ['line 1: bootloader: --boot-drive takes one drive; see --driveorder'],
    },
    {
      name: 'extlinux or systemd-boot',
      lines: ['bootloader --extlinux --sdboot'],
      errors: ['line 1: bootloader: --extlinux and --sdboot cannot be used together'],
    },
    {
      name: 'removed options',
      lines: ['bootloader --lba32 --upgrade'],
      errors: [
        'line 1: bootloader: --lba32 is no longer supported: it is always on',
        'line 1: bootloader: --upgrade is no longer supported: upgrades are not done by kickstart any more',
      ],
    },
    {
      name: 'an ambiguous prefix',
      lines: ['bootloader --d'],
      errors: ['line 1: bootloader: ambiguous option "--d" could be --default, --disabled, --driveorder'],
    },
    {
      name: '--ptable is gpt or msdos',
      lines: ['bootloader --ptable=dos'],
      errors: ['line 1: bootloader: --ptable expects one of gpt, msdos, got "dos"'],
    },
    {
      name: "mic's options are refused in pykickstart's own syntax",
      lines: ['bootloader --menus=x'],
      options: { extensions: false },
      errors: ['line 1: bootloader: --menus is a mic extension, not pykickstart syntax'],
    },
    {
      name: 'given twice',
      lines: ['bootloader --timeout=1', 'bootloader --timeout=2'],
      warnings: ['line 2: bootloader: given again; this one replaces line 1'],
    },
    {
      name: 'takes no arguments',
      lines: ['bootloader mbr'],
      errors: ['line 1: bootloader: takes no arguments, got "mbr"'],
    },
  ]);
});

describe('zipl', () => {
  test('secure boot', () => {
    assert.deepEqual(commandOf(parseClean(ks('zipl --secure-boot')), 'zipl')?.options, {
      'secure-boot': true,
    });
  });
  cases([
    {
      name: 'one secure boot mode: the last one given',
      lines: ['zipl --secure-boot --no-secure-boot'],
      warnings: ['line 1: zipl: --no-secure-boot overrides --secure-boot given before it'],
    },
  ]);
});

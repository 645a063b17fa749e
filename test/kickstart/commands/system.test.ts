import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandOf } from '../../../src/kickstart/query.ts';
import { cases, ks, parseClean } from './helpers.ts';

describe('selinux', () => {
  test('one mode', () => {
    assert.deepEqual(commandOf(parseClean(ks('selinux --permissive')), 'selinux')?.options, {
      permissive: true,
    });
  });
  cases([
    {
      name: 'one mode: the last one given',
      lines: ['lang C', 'selinux --enforcing --disabled'],
      warnings: ['line 2: selinux: --disabled overrides --enforcing given before it'],
    },
    { name: 'a prefix', lines: ['selinux --dis'] },
    {
      name: 'no arguments',
      lines: ['selinux enforcing'],
      errors: ['line 1: selinux: takes no arguments, got "enforcing"'],
    },
  ]);
});

describe('services', () => {
  test('lists of services', () => {
    assert.deepEqual(
      commandOf(parseClean(ks('services --enabled=sshd,chronyd --disabled="cups, avahi-daemon"')), 'services')
        ?.options,
      { enabled: ['sshd', 'chronyd'], disabled: ['cups', 'avahi-daemon'] },
    );
  });
  cases([
    {
      name: 'needs a list',
      lines: ['services'],
      errors: ['line 1: services: expects --enabled or --disabled'],
    },
    {
      name: 'a list needs a value',
      lines: ['services --enabled'],
      errors: [
        'line 1: services: --enabled expects a comma-separated list of services',
        'line 1: services: expects --enabled or --disabled',
      ],
    },
  ]);
});

describe('firstboot', () => {
  test('the enable and disable spellings', () => {
    assert.deepEqual(commandOf(parseClean(ks('firstboot --disabled')), 'firstboot')?.options, {
      disable: true,
    });
    assert.deepEqual(commandOf(parseClean(ks('firstboot --reconfig')), 'firstboot')?.options, {
      reconfig: true,
    });
  });
  cases([
    {
      name: 'one choice: the last one given',
      lines: ['firstboot --enable --disable'],
      warnings: ['line 1: firstboot: --disable overrides --enable given before it'],
    },
  ]);
});

describe('xconfig and skipx', () => {
  test('start X on boot', () => {
    assert.deepEqual(
      commandOf(parseClean(ks('xconfig --startxonboot --defaultdesktop=GNOME')), 'xconfig')?.options,
      {
        startxonboot: true,
        defaultdesktop: 'GNOME',
      },
    );
    assert.ok(commandOf(parseClean(ks('skipx')), 'skipx'));
  });
  cases([
    {
      name: 'X settings that X now finds itself',
      lines: ['xconfig --resolution=1024x768 --depth 24'],
      errors: [
        'line 1: xconfig: --resolution is no longer supported: X configures the display itself',
        'line 1: xconfig: --depth is no longer supported: X configures the display itself',
      ],
    },
    {
      name: 'skipx takes nothing',
      lines: ['skipx --now'],
      errors: ['line 1: skipx: unknown option "--now"'],
    },
  ]);
});

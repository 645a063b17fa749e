import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandOf } from '../../../src/kickstart/query.ts';
import { cases, ks, parseClean } from './helpers.ts';

describe('desktop', () => {
  test("mic's desktop settings", () => {
    const desktop = commandOf(
      parseClean(
        ks(
          'desktop --defaultdesktop=DUI --autologinuser=nemo --defaultdm=lightdm --session="/usr/bin/mcompositor"',
        ),
      ),
      'desktop',
    );
    assert.deepEqual(desktop?.options, {
      defaultdesktop: 'DUI',
      autologinuser: 'nemo',
      defaultdm: 'lightdm',
      session: '/usr/bin/mcompositor',
    });
  });
  cases([
    {
      name: 'refused in pykickstart syntax',
      lines: ['lang C', 'desktop --autologinuser=nemo'],
      options: { extensions: false },
      errors: ['line 2: desktop: a mic extension, not pykickstart syntax'],
    },
    {
      name: 'an unknown option',
      lines: ['desktop --autologin=nemo --theme=x'],
      errors: ['line 1: desktop: unknown option "--theme"'],
    },
    {
      name: 'takes no arguments',
      lines: ['desktop GNOME'],
      errors: ['line 1: desktop: takes no arguments, got "GNOME"'],
    },
  ]);
});

describe('installerfw_plugins', () => {
  test('a list of jobs', () => {
    assert.deepEqual(
      commandOf(parseClean(ks('installerfw_plugins bootloader,fstab')), 'installerfw_plugins')?.args,
      ['bootloader,fstab'],
    );
  });
  cases([
    {
      name: 'needs the list',
      lines: ['installerfw_plugins'],
      errors: ['line 1: installerfw_plugins: expects 1 argument (a comma-separated list of jobs), got 0'],
    },
    {
      name: 'refused in pykickstart syntax',
      lines: ['installerfw_plugins bootloader'],
      options: { extensions: false },
      errors: ['line 1: installerfw_plugins: a mic extension, not pykickstart syntax'],
    },
  ]);
});

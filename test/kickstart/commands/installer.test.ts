import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandOf } from '../../../src/kickstart/query.ts';
import { cases, ks, parseClean } from './helpers.ts';

describe('text, graphical and cmdline', () => {
  test('one display mode', () => {
    assert.deepEqual(commandOf(parseClean(ks('text --non-interactive')), 'text')?.options, {
      'non-interactive': true,
    });
    assert.ok(commandOf(parseClean(ks('graphical')), 'graphical'));
    assert.ok(commandOf(parseClean(ks('cmdline')), 'cmdline'));
  });
  cases([
    {
      name: 'a later mode replaces an earlier one',
      lines: ['graphical', 'lang C', 'text'],
      warnings: ['line 3: text: replaces graphical (line 1)'],
    },
    {
      name: 'cmdline never asks anyway',
      lines: ['cmdline --non-interactive'],
      errors: ['line 1: cmdline: unknown option "--non-interactive"'],
    },
  ]);
});

describe('reboot, poweroff, shutdown, halt', () => {
  test('one action, with its options', () => {
    assert.deepEqual(commandOf(parseClean(ks('reboot --eject --kexec')), 'reboot')?.options, {
      eject: true,
      kexec: true,
    });
    for (const name of ['poweroff', 'shutdown', 'halt'] as const) {
      assert.ok(commandOf(parseClean(ks(name)), name));
    }
  });
  cases([
    {
      name: 'a later action replaces an earlier one',
      lines: ['reboot', 'poweroff', 'halt'],
      warnings: ['line 2: poweroff: replaces reboot (line 1)', 'line 3: halt: replaces poweroff (line 2)'],
    },
    {
      name: 'takes no arguments',
      lines: ['shutdown now'],
      errors: ['line 1: shutdown: takes no arguments, got "now"'],
    },
  ]);
});

describe('eula', () => {
  test('agreed, in any of its spellings', () => {
    assert.deepEqual(commandOf(parseClean(ks('eula --agreed')), 'eula')?.options, { agreed: true });
    assert.deepEqual(commandOf(parseClean(ks('eula --accept')), 'eula')?.options, { agreed: true });
  });
  cases([{ name: 'needs --agreed', lines: ['eula'], errors: ['line 1: eula: --agreed is required'] }]);
});

describe('logging', () => {
  test('a remote syslog host', () => {
    assert.deepEqual(
      commandOf(parseClean(ks('logging --host=log.example.com --port=514')), 'logging')?.options,
      {
        host: 'log.example.com',
        port: '514',
      },
    );
  });
  cases([
    {
      name: '--port needs --host',
      lines: ['logging --port=514'],
      errors: ['line 1: logging: --port needs --host'],
    },
    {
      name: '--level is gone, its value with it',
      lines: ['logging --level debug --host=log'],
      errors: [
        'line 1: logging: --level is no longer supported: the installer has no log level to set any more',
      ],
    },
  ]);
});

describe('rdp', () => {
  test('remote access to the installer, the login optional', () => {
    assert.deepEqual(
      commandOf(parseClean(ks('rdp --username=USERNAME --password=PASSWORD')), 'rdp')?.options,
      {
        username: 'USERNAME',
        password: 'PASSWORD',
      },
    );
    assert.deepEqual(commandOf(parseClean(ks('rdp')), 'rdp')?.options, {});
  });
  cases([
    { name: 'takes no arguments', lines: ['rdp on'], errors: ['line 1: rdp: takes no arguments, got "on"'] },
  ]);
});

describe('rescue and mediacheck', () => {
  test('valid forms', () => {
    assert.deepEqual(commandOf(parseClean(ks('rescue --romount')), 'rescue')?.options, { romount: true });
    assert.ok(commandOf(parseClean(ks('mediacheck')), 'mediacheck'));
  });
  cases([
    {
      name: 'rescue: mount read-only or not at all',
      lines: ['rescue --nomount --romount'],
      errors: ['line 1: rescue: --nomount and --romount cannot be used together'],
    },
    {
      name: 'mediacheck takes nothing',
      lines: ['mediacheck now'],
      errors: ['line 1: mediacheck: takes no arguments, got "now"'],
    },
  ]);
});

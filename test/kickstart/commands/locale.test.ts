import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandOf, commandsOf } from '../../../src/kickstart/query.ts';
import { cases, ks, parseClean } from './helpers.ts';

describe('lang', () => {
  test('a language with extra supported ones', () => {
    const lang = commandOf(parseClean(ks("lang en_US.UTF-8 --addsupport='fi_FI, sv_SE'")), 'lang');
    assert.deepEqual(lang?.args, ['en_US.UTF-8']);
    assert.deepEqual(lang?.options, { addsupport: ['fi_FI', 'sv_SE'] });
  });
  cases([
    {
      name: 'needs a language',
      lines: ['keyboard us', 'lang'],
      errors: ['line 2: lang: expects 1 argument (a language such as en_US.UTF-8), got 0'],
    },
    {
      name: 'takes one language',
      lines: ['lang en_US fi_FI'],
      errors: ['line 1: lang: too many arguments (a language such as en_US.UTF-8): "en_US" "fi_FI"'],
    },
    { name: 'unknown option', lines: ['lang C --utf8'], errors: ['line 1: lang: unknown option "--utf8"'] },
    {
      name: 'given twice, the last wins',
      lines: ['lang C', 'lang fi_FI'],
      warnings: ['line 2: lang: given again; this one replaces line 1'],
    },
  ]);
});

describe('keyboard', () => {
  test('a layout, or the console and X layouts', () => {
    assert.deepEqual(commandOf(parseClean(ks('keyboard fi')), 'keyboard')?.args, ['fi']);
    const keyboard = commandOf(
      parseClean(ks("keyboard --vckeymap=fi --xlayouts='fi,us (intl)' --switch=grp:alt_shift_toggle")),
      'keyboard',
    );
    assert.deepEqual(keyboard?.options, {
      vckeymap: 'fi',
      xlayouts: ['fi', 'us (intl)'],
      switch: ['grp:alt_shift_toggle'],
    });
  });
  cases([
    {
      name: 'needs a layout',
      lines: ['keyboard --switch=grp:alt_shift_toggle'],
      errors: ['line 1: keyboard: expects a layout, --vckeymap or --xlayouts'],
    },
    {
      name: 'a prefix of --vckeymap',
      lines: ['keyboard --vc=fi'],
    },
  ]);
});

describe('timezone', () => {
  test('a zone in UTC', () => {
    const timezone = commandOf(parseClean(ks('timezone Europe/Helsinki --utc')), 'timezone');
    assert.deepEqual(timezone?.args, ['Europe/Helsinki']);
    assert.deepEqual(timezone?.options, { utc: true });
  });
  cases([
    {
      name: '--isUtc still works but warns',
      lines: ['lang C', 'timezone --isUtc America/New_York'],
      warnings: ['line 2: timezone: --isUtc is deprecated: use --utc'],
    },
    {
      name: 'NTP settings moved to timesource',
      lines: ['timezone UTC --ntpservers=a,b'],
      warnings: ['line 1: timezone: --ntpservers is deprecated: use the timesource command'],
    },
    {
      name: '--nontp conflicts with --ntpservers',
      lines: ['timezone UTC --nontp --ntpservers=a'],
      errors: ['line 1: timezone: --nontp and --ntpservers cannot be used together'],
      warnings: [
        'line 1: timezone: --nontp is deprecated: use timesource --ntp-disable',
        'line 1: timezone: --ntpservers is deprecated: use the timesource command',
      ],
    },
    {
      name: 'an ambiguous prefix',
      lines: ['timezone UTC --n'],
      errors: ['line 1: timezone: ambiguous option "--n" could be --nontp, --ntpservers'],
    },
    { name: 'needs a zone', lines: ['timezone'], errors: ['line 1: timezone: expects a time zone'] },
    {
      name: 'an option may stand in for the zone',
      lines: ['timezone --ntpservers=ntp.example.com'],
      warnings: ['line 1: timezone: --ntpservers is deprecated: use the timesource command'],
    },
  ]);
});

describe('timesource', () => {
  test('several sources are all kept', () => {
    const sources = commandsOf(
      parseClean(ks('timesource --ntp-pool=pool.ntp.org --nts', 'timesource --ntp-server=ntp.example.com')),
      'timesource',
    );
    assert.deepEqual(
      sources.map((s) => s.options),
      [{ 'ntp-pool': 'pool.ntp.org', nts: true }, { 'ntp-server': 'ntp.example.com' }],
    );
  });
  cases([
    {
      name: 'needs a source',
      lines: ['timesource --nts'],
      errors: ['line 1: timesource: expects --ntp-server, --ntp-pool or --ntp-disable'],
    },
    {
      name: 'one source a line',
      lines: ['timesource --ntp-server=a --ntp-pool=b'],
      errors: ['line 1: timesource: --ntp-server and --ntp-pool cannot be used together'],
    },
    {
      name: '--nts with --ntp-disable',
      lines: ['timesource --ntp-disable --nts'],
      warnings: ['line 1: timesource: --nts has no effect with --ntp-disable'],
    },
    {
      name: '--ntp is ambiguous',
      lines: ['timesource --ntp=a'],
      errors: [
        'line 1: timesource: ambiguous option "--ntp" could be --ntp-disable, --ntp-pool, --ntp-server',
        'line 1: timesource: expects --ntp-server, --ntp-pool or --ntp-disable',
      ],
    },
  ]);
});

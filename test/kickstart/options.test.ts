import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitLine } from '../../src/kickstart/lexer.ts';
import {
  given,
  type MatchedOptions,
  matchOptions,
  type OptionsSpec,
  opt,
  writeOption,
  writeOptions,
} from '../../src/kickstart/options.ts';

const SPEC = {
  disabled: opt.flag(),
  enabled: opt.flag(),
  location: opt.choice(['mbr', 'partition', 'none']),
  size: opt.int({ min: 1, describe: 'a size in MiB' }),
  ratio: opt.float({ min: 0 }),
  onboot: opt.bool(),
  name: opt.string({ aliases: ['label'] }),
  password: opt.string({ valueOptional: true }),
  drives: opt.list(),
  trust: opt.repeat(),
  utc: opt.flag({ deprecatedAliases: { isUtc: 'use --utc' } }),
  ntpservers: opt.list({ deprecated: 'use timesource' }),
  nobase: opt.flag({ removed: 'the base group is no longer implied' }),
  align: opt.int({ origin: 'mic' }),
  foo: opt.flag(),
  foobar: opt.flag(),
} as const satisfies OptionsSpec;

interface Outcome extends MatchedOptions {
  errors: string[];
  warnings: string[];
}

function match(line: string, spec: OptionsSpec = SPEC, extensions = true): Outcome {
  const split = splitLine(line);
  assert.ok(split.ok);
  const errors: string[] = [];
  const warnings: string[] = [];
  const matched = matchOptions(spec, split.tokens, {
    extensions,
    error: (m) => errors.push(m),
    warning: (m) => warnings.push(m),
  });
  return { ...matched, errors, warnings };
}

describe('matchOptions', () => {
  it('reads --key=value and --key value alike', () => {
    assert.deepEqual(match('--size=5 --name x').values, { size: 5, name: 'x' });
  });

  it('accepts an unambiguous prefix and an alias', () => {
    const out = match('--disa --loc=mbr --lab=root');
    assert.deepEqual(out.values, { disabled: true, location: 'mbr', name: 'root' });
    assert.deepEqual(out.errors, []);
  });

  it('refuses an ambiguous prefix, naming the candidates', () => {
    assert.deepEqual(match('--d').errors, ['ambiguous option "--d" could be --disabled, --drives']);
  });

  it('prefers an exact spelling over a longer option it prefixes', () => {
    assert.deepEqual(match('--foo').values, { foo: true });
  });

  it('reports unknown options, skipping their value', () => {
    const out = match('--frob x --size=2 -z');
    assert.deepEqual(out.errors, ['unknown option "--frob"', 'unknown option "-z"']);
    assert.deepEqual(out.values, { size: 2 });
    assert.deepEqual(out.args, []);
  });

  it('checks values by type', () => {
    assert.deepEqual(match('--size=big').errors, ['--size expects a number, got "big"']);
    assert.deepEqual(match('--size=0').errors, ['--size expects a number of at least 1, got "0"']);
    assert.deepEqual(match('--location=usb').errors, [
      '--location expects one of mbr, partition, none, got "usb"',
    ]);
    assert.deepEqual(match('--onboot=maybe').errors, ['--onboot expects yes or no, got "maybe"']);
    assert.deepEqual(match('--ratio=x').errors, ['--ratio expects a number, got "x"']);
    assert.deepEqual(match('--enabled=yes').errors, ['--enabled takes no value, got "yes"']);
    assert.deepEqual(match('--onboot=off --ratio=0.5').values, { onboot: false, ratio: 0.5 });
  });

  it('refuses a whole number too large to be kept exactly', () => {
    const out = match('--size=99999999999999999999');
    assert.deepEqual(out.errors, [
      '--size expects a number of at most 9007199254740991, got "99999999999999999999"',
    ]);
  });

  it('does not take the next option as a missing value', () => {
    const out = match('--size --enabled');
    assert.deepEqual(out.errors, ['--size expects a size in MiB']);
    assert.deepEqual(out.values, { enabled: true });
  });

  it('lets an optional value be left out', () => {
    assert.deepEqual(match('--password --enabled').values, { password: '', enabled: true });
  });

  it('adds to lists and repeats', () => {
    assert.deepEqual(match('--drives=sda,sdb --drives sdc --trust=eth0 --trust=eth1').values, {
      drives: ['sda', 'sdb', 'sdc'],
      trust: ['eth0', 'eth1'],
    });
  });

  it('warns for deprecated options and aliases, refuses removed ones', () => {
    const out = match('--isUtc --ntpservers=a --nobase');
    assert.deepEqual(out.warnings, [
      '--isUtc is deprecated: use --utc',
      '--ntpservers is deprecated: use timesource',
    ]);
    assert.deepEqual(out.errors, ['--nobase is no longer supported: the base group is no longer implied']);
    assert.deepEqual(out.values, { utc: true, ntpservers: ['a'] });
  });

  it('refuses extensions in strict mode', () => {
    assert.deepEqual(match('--align=4', SPEC, false).errors, [
      '--align is a mic extension, not pykickstart syntax',
    ]);
    assert.deepEqual(match('--align=4').errors, []);
  });

  it('reports a required option that is missing', () => {
    assert.deepEqual(match('', { name: opt.string({ required: true }) }).errors, ['--name is required']);
  });

  it('keeps negative numbers and everything after -- as arguments', () => {
    assert.deepEqual(match('-5 a -- --size=3 -x').args, ['-5', 'a', '--size=3', '-x']);
  });

  it('leaves a -- that ends the line as an argument, as argparse does', () => {
    assert.deepEqual(match('--enabled --').args, ['--']);
  });

  it("reads a value that starts with a dash and holds a space as a value, as argparse's does", () => {
    // argparse: a word naming no option that holds a space is an argument (`--mkfsoptions "-m bigtime=0"`).
    assert.deepEqual(match('--name "-m bigtime=0,inobtcount=0"').values, {
      name: '-m bigtime=0,inobtcount=0',
    });
    assert.deepEqual(match("--name '--x y' --password '-o x'").values, { name: '--x y', password: '-o x' });
    assert.deepEqual(match('--name -2.5').values, { name: '-2.5' });
    // Before an `=` a word names an option even with a space after it; without one, a dash word is an option.
    assert.deepEqual(match('--name "--size=5 x"').errors, [
      '--name expects a value',
      '--size expects a number, got "5 x"',
    ]);
    assert.deepEqual(match('--name "--si=5 x"').errors, [
      '--name expects a value',
      '--size expects a number, got "5 x"',
    ]);
    assert.deepEqual(match('--name -x').errors, ['--name expects a value', 'unknown option "-x"']);
    assert.deepEqual(match('--name -5x').errors, ['--name expects a value', 'unknown option "-5x"']);
  });

  it('lets the last of a group of options win, saying which one it overrode', () => {
    const errors: string[] = [];
    const warnings: string[] = [];
    const ctx = {
      extensions: true,
      error: (m: string) => errors.push(m),
      warning: (m: string) => warnings.push(m),
    };
    const out = matchOptions(SPEC, ['--enabled', '--disabled', '--foo', '--enabled'], ctx, [
      ['enabled', 'disabled'],
    ]);
    assert.deepEqual(out.values, { enabled: true, foo: true });
    assert.deepEqual(errors, []);
    assert.deepEqual(warnings, [
      '--disabled overrides --enabled given before it',
      '--enabled overrides --disabled given before it',
    ]);
  });

  it('reads whole numbers as Python does: blanks, a sign, underscores between digits', () => {
    assert.deepEqual(match("--size=' +1_000 '").values, { size: 1000 });
    assert.deepEqual(match('--size=1__0').errors, ['--size expects a number, got "1__0"']);
    assert.deepEqual(match('--size=_1').errors, ['--size expects a number, got "_1"']);
  });

  it('counts two spellings of one option as ambiguous, as argparse does', () => {
    const spec = { log: opt.string({ aliases: ['logfile'] }), erroronfail: opt.flag() } as const;
    assert.deepEqual(match('--lo=x', spec).errors, ['ambiguous option "--lo" could be --log, --logfile']);
    assert.deepEqual(match('--log=x', spec).values, { log: 'x' });
  });

  it('matches a prefix against the options pykickstart has: not removed ones, not extensions when strict', () => {
    const spec = {
      size: opt.int(),
      start: opt.int({ removed: 'placed automatically' }),
      proxy: opt.string(),
      proxyuser: opt.string({ origin: 'mic' }),
    } as const;
    assert.deepEqual(match('--s=1', spec).values, { size: 1 });
    assert.deepEqual(match('--start=1', spec).errors, [
      '--start is no longer supported: placed automatically',
    ]);
    assert.deepEqual(match('--pro=x', spec, false).values, { proxy: 'x' });
    assert.deepEqual(match('--pro=x', spec).errors, [
      'ambiguous option "--pro" could be --proxy, --proxyuser',
    ]);
  });

  it('lowers a value where pykickstart does', () => {
    const spec = { type: opt.choice(['lvm', 'plain'], { ignoreCase: true }) } as const;
    assert.deepEqual(match('--type=LVM', spec).values, { type: 'lvm' });
  });
});

describe('given', () => {
  it('counts an option as pykickstart tests it: empty values, lists and zeros are not given', () => {
    assert.deepEqual([undefined, '', [], false, 0].map(given), [false, false, false, false, false]);
    assert.deepEqual(['x', ['a'], true, 3].map(given), [true, true, true, true]);
  });
});

describe('writeOption', () => {
  it('writes the canonical spelling with =', () => {
    assert.deepEqual(writeOption('utc', SPEC.utc, true), ['--utc']);
    assert.deepEqual(writeOption('utc', SPEC.utc, false), []);
    assert.deepEqual(writeOption('onboot', SPEC.onboot, false), ['--onboot=no']);
    assert.deepEqual(writeOption('size', SPEC.size, 5), ['--size=5']);
    assert.deepEqual(writeOption('name', SPEC.name, 'my disk'), ["--name='my disk'"]);
    assert.deepEqual(writeOption('name', SPEC.name, '-x'), ['--name=-x']);
    assert.deepEqual(writeOption('password', SPEC.password, ''), ['--password']);
    assert.deepEqual(writeOption('drives', SPEC.drives, ['sda', 'sdb']), ['--drives=sda,sdb']);
    assert.deepEqual(writeOption('drives', SPEC.drives, []), ["--drives=''"]);
    assert.deepEqual(writeOption('trust', SPEC.trust, ['a b', 'c']), ["--trust='a b'", '--trust=c']);
  });

  it('writes options in the order of the spec and reads back the same values', () => {
    const values = {
      trust: ['x#y', "it's"],
      name: 'a "b" \\c',
      drives: [],
      size: 12,
      ratio: 1e-7,
      onboot: true,
      location: 'none',
      password: '',
      utc: true,
    };
    const words = writeOptions(SPEC, values);
    assert.deepEqual(
      words.map((w) => w.split('=')[0]),
      [
        '--location',
        '--size',
        '--ratio',
        '--onboot',
        '--name',
        '--password',
        '--drives',
        '--trust',
        '--trust',
        '--utc',
      ],
    );
    const back = match(words.join(' '));
    assert.deepEqual(back.errors, []);
    assert.deepEqual(back.values, values);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitLine } from '../../src/kickstart/lexer.ts';
import {
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

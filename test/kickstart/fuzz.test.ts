import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { formatKickstart } from '../../src/kickstart/format.ts';
import type { IncludeReader } from '../../src/kickstart/include.ts';
import { kickstartMeaning } from '../../src/kickstart/meaning.ts';
import { type ParseOptions, parseKickstart } from '../../src/kickstart/parser.ts';
import { kickstartFiles } from './files.ts';
import { generateKickstart } from './generate.ts';
import { type Random, seededRandom } from './random.ts';

/** What an included name holds; anything else is missing. The fuzzer never touches the file system. */
const INCLUDED: Record<string, string> = {
  'disk.ks': 'part / --size=900\n%packages\nvim\n',
  'loop.ks': '%include loop.ks\n',
  'bad.ks': "lang 'x\n%end\n\0\n",
};

const readInclude: IncludeReader = ({ target, directive }) =>
  target in INCLUDED
    ? { ok: true, file: target, content: INCLUDED[target]! }
    : { ok: false, error: `${directive} ${target}: no such file` };

function lineCount(text: string | Uint8Array): number {
  const decoded = typeof text === 'string' ? text : Buffer.from(text).toString('latin1');
  const lines = decoded.split(/\r\n|\n|\r/);
  if (lines.at(-1) === '') lines.pop();
  return Math.max(1, lines.length);
}

/**
 * The parser's contract for any input: no exception, and every diagnostic names a file and a line that exists.
 * A kickstart that parses cleanly must also survive format: same meaning, idempotent text.
 */
function check(input: string | Uint8Array, label: string, random: Random): void {
  const options: ParseOptions = {
    file: 'fuzz.ks',
    readInclude,
    extensions: random.chance(0.8),
    ...(random.chance(0.2) && {
      tokens: new Map([
        ['RELEASE', '5.0 # x'],
        ['ARCH', "'"],
      ]),
    }),
    ...(random.chance(0.05) && { maxBytes: random.int(0, 200) }),
  };
  const where = () =>
    `${label}: ${JSON.stringify(typeof input === 'string' ? input : Buffer.from(input).toString())}`;
  let result: ReturnType<typeof parseKickstart>;
  try {
    result = parseKickstart(input, options);
  } catch (e) {
    assert.fail(`parseKickstart threw ${(e as Error).stack} on ${where()}`);
  }
  const lines: Record<string, number> = { 'fuzz.ks': lineCount(input) };
  for (const [name, text] of Object.entries(INCLUDED)) lines[name] = lineCount(text);
  for (const d of result.diagnostics) {
    const last = lines[d.file];
    assert.ok(last !== undefined, `unknown file "${d.file}" in ${JSON.stringify(d)} for ${where()}`);
    assert.ok(
      Number.isInteger(d.line) && d.line >= 1 && d.line <= last,
      `line out of range: ${JSON.stringify(d)} for ${where()}`,
    );
    assert.ok(d.message.length > 0);
  }
  if (!result.ok || options.extensions === false) return;
  const formatted = formatKickstart(result.kickstart);
  const again = parseKickstart(formatted, { file: 'formatted.ks', readInclude });
  assert.deepEqual(again.errors, [], `formatted text does not parse: ${where()}\n${formatted}`);
  assert.deepEqual(kickstartMeaning(again.kickstart), kickstartMeaning(result.kickstart), where());
  assert.equal(formatKickstart(again.kickstart), formatted, where());
}

const FRAGMENTS = [
  'lang en_US.UTF-8',
  'part / --size=500',
  'part /boot --size 100 --fstype=ext4 --asprimary',
  'rootpw --iscrypted $6$x',
  'timezone --utc',
  'bootloader --disable',
  'bootloader --location=mbr --append="a b"',
  "network --bootproto=dhcp --device 'eth0'",
  'repo --name=x --baseurl=http://x/#frag',
  'user --name=u --groups=a,b',
  'keyboard',
  'frobnicate',
  '%packages',
  '%packages --ignoremissing --bogus',
  '%post --nochroot',
  '%post --interpreter',
  '%pre',
  '%pre-install',
  '%onerror',
  '%traceback',
  '%pack',
  '%prepackages',
  '%attachment',
  '%addon com_x --y',
  '%addon',
  '%anaconda',
  '%end',
  '%end extra',
  '%include disk.ks',
  '%include loop.ks',
  '%include bad.ks',
  '%include missing.ks',
  '%include',
  '%ksappend disk.ks',
  '%ksappend http://x/y',
  '%bogus',
  '@core',
  '@^env',
  '-@grp',
  '-pkg',
  '@ --optional',
  '@ ^not-an-environment',
  '- @not-a-group',
  '@g --nodefaults --nodefaults',
  'vim',
  '"',
  "'",
  '\\',
  '#',
  '',
  '   ',
  '\t--size=big',
  '# -*-mic-options-*- fs -*-mic-options-*-',
  '# -*-mic-options-*- fs',
  '@RELEASE@ @ARCH@',
  '\ufeff',
  '\0',
];

function lineSoup(random: Random): string {
  const lines = Array.from({ length: random.int(0, 30) }, () => {
    const line = random.pick(FRAGMENTS);
    return random.chance(0.2) ? `${line} ${random.pick(FRAGMENTS)}` : line;
  });
  return lines.join(random.pick(['\n', '\r\n', '\r'])) + random.pick(['', '\n']);
}

function mutate(random: Random, source: Uint8Array): Uint8Array {
  const bytes = Buffer.from(source);
  switch (random.int(0, 5)) {
    case 0: {
      for (let i = random.int(1, 8); i > 0 && bytes.length > 0; i--) {
        const at = random.int(0, bytes.length - 1);
        bytes[at] = bytes[at]! ^ (1 << random.int(0, 7));
      }
      return bytes;
    }
    case 1:
      return bytes.subarray(0, random.int(0, bytes.length));
    case 2: {
      const lines = bytes.toString('latin1').split('\n');
      const i = random.int(0, lines.length - 1);
      lines.splice(i, 0, ...lines.slice(i, i + random.int(1, 4)));
      return Buffer.from(lines.join('\n'), 'latin1');
    }
    case 3: {
      const at = random.int(0, bytes.length);
      const insert = Buffer.from(random.pick(['"', "'", '\\', '#', '%end\n', '\n%post\n', '\r', '@']));
      return Buffer.concat([bytes.subarray(0, at), insert, bytes.subarray(at)]);
    }
    case 4: {
      const lines = bytes.toString('latin1').split('\n');
      lines.splice(random.int(0, lines.length - 1), random.int(1, 3));
      return Buffer.from(lines.join('\n'), 'latin1');
    }
    default: {
      const lines = bytes.toString('latin1').split('\n');
      const a = random.int(0, lines.length - 1);
      const b = random.int(0, lines.length - 1);
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return Buffer.from(lines.join('\n'), 'latin1');
    }
  }
}

describe('fuzzing parseKickstart', () => {
  it('survives random bytes', () => {
    const random = seededRandom(1);
    for (let i = 0; i < 1500; i++) {
      const bytes = Uint8Array.from({ length: random.int(0, 400) }, () =>
        random.chance(0.5) ? random.int(0, 255) : random.pick([10, 13, 32, 34, 35, 37, 39, 45, 61, 92]),
      );
      check(bytes, `random bytes #${i}`, random);
    }
  });

  it('survives soups of kickstart fragments', () => {
    const random = seededRandom(2);
    for (let i = 0; i < 2500; i++) check(lineSoup(random), `line soup #${i}`, random);
  });

  it('survives mutations of the templates and of generated kickstarts', () => {
    const random = seededRandom(3);
    const sources = [
      ...kickstartFiles().map((file) => readFileSync(file)),
      ...Array.from({ length: 20 }, () => Buffer.from(generateKickstart(random))),
    ];
    for (let i = 0; i < 2500; i++) {
      let bytes: Uint8Array = random.pick(sources);
      for (let m = random.int(1, 3); m > 0; m--) bytes = mutate(random, bytes);
      check(bytes, `mutation #${i}`, random);
    }
  });
});

/**
 * Seeded generators for the property and fuzz tests: random kickstarts written the many ways authors write them
 * (quoting styles, `--key value` or `--key=value`, aliases, CRLF, comments), built from the command specs so that
 * new commands are covered as soon as they are registered.
 */
import type { CommandSpec } from '../../src/kickstart/command-spec.ts';
import { COMMANDS } from '../../src/kickstart/commands/index.ts';
import { quoteToken } from '../../src/kickstart/lexer.ts';
import { looksLikeOption, type OptionSpec, type OptionsSpec } from '../../src/kickstart/options.ts';
import { parseKickstart } from '../../src/kickstart/parser.ts';
import { PACKAGES_EXCLUSIVE, PACKAGES_OPTIONS } from '../../src/kickstart/sections.ts';
import type { Random } from './random.ts';

const PLAIN_WORDS = [
  'root',
  'boot',
  'en_US.UTF-8',
  'sda',
  'eth0',
  'x86_64',
  'http://example.com/repo',
  '1',
  'a-b',
];
/** Values a lexer gets wrong easily: dashes, spaces, both quotes, `#`, backslashes, the empty string, non-ASCII. */
const ODD_VALUES = [
  '',
  '-n',
  '--force',
  'a b',
  "it's",
  'say "hi"',
  'a#b',
  '#',
  'back\\slash',
  '\\',
  'tab\there',
  'é ü',
  '$HOME',
  '  ',
];

function plainOrOdd(random: Random, oddChance = 0.35): string {
  return random.chance(oddChance) ? random.pick(ODD_VALUES) : random.pick(PLAIN_WORDS);
}

/** One token, quoted in one of the ways shlex reads back as the same value. */
function spellToken(random: Random, value: string): string {
  if (value === '') return random.pick(["''", '""']);
  switch (random.int(0, 3)) {
    case 0:
      return quoteToken(value);
    case 1:
      return `"${value.replace(/["\\]/g, '\\$&')}"`;
    case 2:
      return value.replace(/[\s'"\\#]/g, '\\$&');
    default:
      return `'${value.replaceAll("'", `'\\''`)}'`;
  }
}

/** The text of a value for the option; null when it is written bare (a flag, or an optional value left out). */
function optionValue(random: Random, option: OptionSpec): string | null {
  switch (option.kind) {
    case 'flag':
      return null;
    case 'bool':
      return random.pick(['yes', 'no', 'true', 'false', 'on', 'off', '1', '0']);
    case 'int': {
      const min = option.min ?? 0;
      return String(random.int(min, option.max ?? min + 4096));
    }
    case 'float':
      return String(random.int(option.min ?? 0, 100) + random.pick([0, 0.5, 0.25]));
    case 'choice':
      return random.pick(option.choices);
    case 'string':
      return option.valueOptional && random.chance(0.3) ? null : plainOrOdd(random);
    case 'list':
      // Items cannot hold commas: the list is split on them.
      return Array.from(
        { length: random.int(1, 3) },
        () => plainOrOdd(random).replaceAll(',', '') || 'x',
      ).join(',');
    default:
      return plainOrOdd(random);
  }
}

/**
 * A prefix of the option's spelling that names no other option of the spec, as authors abbreviate
 * (`bootloader --disable`); the whole spelling when every shorter one is ambiguous.
 */
function abbreviate(random: Random, spelling: string, key: string, spec: OptionsSpec): string {
  const others = Object.entries(spec).flatMap(([k, o]) =>
    k === key ? [] : [k, ...(o.aliases ?? []), ...Object.keys(o.deprecatedAliases ?? {})],
  );
  let shortest = spelling.length;
  while (shortest > 1 && !others.some((o) => o.startsWith(spelling.slice(0, shortest - 1)))) shortest--;
  return spelling.slice(0, random.int(shortest, spelling.length));
}

/** `--key=value`, `--key value`, an alias or an abbreviation, with the value quoted one of several ways. */
function spellOption(random: Random, key: string, option: OptionSpec, spec: OptionsSpec): string {
  const spelling = random.chance(0.2) && option.aliases?.length ? random.pick(option.aliases) : key;
  const name = random.chance(0.2) ? abbreviate(random, spelling, key, spec) : spelling;
  const value = optionValue(random, option);
  if (value === null) return `--${name}`;
  const spelled = spellToken(random, value);
  // A separate value that looks like an option would be read as the next option.
  return random.chance(0.5) || looksLikeOption(value) ? `--${name}=${spelled}` : `--${name} ${spelled}`;
}

/** Some of the options (the required ones always), at most one of each exclusive group, spelled at random. */
function someOptions(random: Random, spec: OptionsSpec, exclusive: readonly (readonly string[])[]): string[] {
  const words: string[] = [];
  const chosen = new Set<string>();
  for (const [key, option] of Object.entries(spec)) {
    if (option.removed || option.kind === 'passthrough') continue;
    const group = exclusive.find((g) => g.includes(key));
    if (group?.some((k) => chosen.has(k))) continue;
    if (option.required || random.chance(0.25)) {
      chosen.add(key);
      const count = option.kind === 'repeat' ? random.int(1, 2) : 1;
      for (let i = 0; i < count; i++) words.push(spellOption(random, key, option, spec));
    }
  }
  return words;
}

function commandCandidate(random: Random, name: string, spec: CommandSpec): string {
  const words = [name, ...someOptions(random, spec.options, spec.exclusive ?? [])];
  const { min, max } = spec.args ?? { min: 0, max: 0 };
  const args = Array.from({ length: random.int(min, max ?? min + 2) }, () => plainOrOdd(random, 0.25));
  if (args.some(looksLikeOption)) words.push('--');
  words.push(...args.map((a) => spellToken(random, a)));
  return words.join(random.pick([' ', '\t', '  ']));
}

/**
 * A command line that parses without errors on its own. Command checks go beyond what a spec declares (a
 * validate hook may want a mount point to start with /), so candidates are drawn until one passes.
 */
function validCommandLine(random: Random): string | null {
  const specs = Object.values(COMMANDS) as CommandSpec[];
  for (let attempt = 0; attempt < 30; attempt++) {
    const spec = random.pick(specs);
    const name = random.chance(0.2) && spec.aliases?.length ? random.pick(spec.aliases) : spec.name;
    const line = commandCandidate(random, name, spec);
    if (parseKickstart(line).ok) return line;
  }
  return null;
}

const PACKAGE_NAMES = [
  'vim',
  'kernel',
  'python3-*',
  'glibc.i686',
  'openssh-server',
  'a+b',
  'zsh',
  'tar',
  'pkg_1',
];
const GROUP_NAMES = ['core', 'MeeGo Core', 'Development Tools', 'base-x', 'Mer Connectivity'];

function packagesSection(random: Random): string[] {
  const lines = [['%packages', ...someOptions(random, PACKAGES_OPTIONS, PACKAGES_EXCLUSIVE)].join(' ')];
  for (let i = random.int(0, 12); i > 0; i--) {
    const group = random.pick(GROUP_NAMES);
    lines.push(
      random.pick([
        random.pick(PACKAGE_NAMES),
        `-${random.pick(PACKAGE_NAMES)}`,
        `@${group}`,
        `@${group} ${random.pick(['--nodefaults', '--optional'])}`,
        `@^${random.pick(['minimal-environment', 'server product'])}`,
        `-@${group}`,
        // Names that start like another kind of line.
        '@ ^not-an-environment',
        '- @not-a-group',
        `${random.pick(PACKAGE_NAMES)}   # why it is here`,
        '',
        '# a comment',
      ]),
    );
  }
  lines.push('%end');
  return lines;
}

/** Body lines a script may hold: none of them names %end, a section, %include or %ksappend. */
const BODY_LINES = [
  'echo "hello world"',
  '\tindented with a tab',
  'trailing spaces   ',
  '',
  '   ',
  '# a comment the shell sees',
  "unbalanced ' quote",
  'back\\slash \\',
  '%foo not a section',
  '%endnot the end',
  '100%',
  'cat > /etc/x <<EOF',
  'EOF',
  'é ü ✓',
];

function scriptSection(random: Random): string[] {
  const kind = random.pick(['%pre', '%pre-install', '%post', '%post', '%onerror', '%traceback', '%pack']);
  const header = [kind];
  if (random.chance(0.3)) {
    header.push(
      random.pick([
        '--interpreter=/usr/bin/python3',
        '--interpreter /bin/bash',
        "--interp '/usr/bin/env sh'",
      ]),
    );
  }
  if (random.chance(0.3)) header.push('--erroronfail');
  if (random.chance(0.2))
    header.push(`--log=${spellToken(random, random.pick(['/root/ks.log', 'my log', '']))}`);
  if (kind === '%post' && random.chance(0.3)) header.push('--nochroot');
  const body = Array.from({ length: random.int(0, 6) }, () => random.pick(BODY_LINES));
  return [header.join(' '), ...body, '%end'];
}

function linesSection(random: Random): string[] {
  const name = random.pick(['%prepackages', '%attachment']);
  const items = ['/boot/vmlinuz*', 'kernel', 'a file with spaces', 'x # comment', ''];
  return [name, ...Array.from({ length: random.int(0, 4) }, () => random.pick(items)), '%end'];
}

function verbatimSection(random: Random): string[] {
  const header = random.pick([
    `%addon ${random.pick(['com_redhat_kdump', 'org_fedora_oscap'])} --enable ${spellToken(random, plainOrOdd(random))}`,
    '%addon',
    '%anaconda',
  ]);
  const body = Array.from({ length: random.int(0, 4) }, () =>
    random.pick(['pwpolicy root --minlen=6', 'key = value', '', '# kept', '\tindented', '"odd \' quotes']),
  );
  return [header, ...body, '%end'];
}

/** A %certificate with its text kept as written: blank lines and `#` lines belong to it. */
function certificateSection(random: Random): string[] {
  const where = random.pick([
    `--dir ${spellToken(random, random.pick(['/etc/pki/ca-trust/source/anchors/', '/etc/my certs']))}`,
    '--type=anchor',
    '--dir=/etc/pki/tls --type anchor',
  ]);
  const header = `%certificate --filename=${spellToken(random, random.pick(['ca.pem', 'my ca.pem']))} ${where}`;
  const body = [
    '-----BEGIN CERTIFICATE-----',
    'MIIBjTCCATOgAwIBAgIUWR5HO3v/0I80Ne0jQWVZFODuWLEw',
    '-----END CERTIFICATE-----',
  ];
  return [header, ...body, ...(random.chance(0.3) ? ['', '# bundle', ...body] : []), '%end'];
}

const MIC_HEADERS = [
  '# -*-mic-options-*- fs --arch=armv7hl -*-mic-options-*-',
  '# -*-mic-options-*- loop --pack-to=@NAME@.tar.gz -*-mic-options-*-',
  '# -*-mic2-options-*- -f raw --copy-kernel --record-pkgs=name,url -*-mic2-options-*-',
  "# -*-mic-options-*- livecd --compress-disk-image='none' --x=a#b -*-mic-options-*-",
];

/**
 * A whole kickstart that parses without errors, written with the variety real files show. Lines are valid one
 * by one, but not always together (`--default` in one %packages header, `--nocore` in a later one), so drafts
 * are drawn until one parses.
 */
export function generateKickstart(random: Random): string {
  let draft = draftKickstart(random);
  for (let attempt = 1; attempt < 20 && !parseKickstart(draft).ok; attempt++) draft = draftKickstart(random);
  return draft;
}

function draftKickstart(random: Random): string {
  const lines: string[] = [];
  if (random.chance(0.2)) lines.push(random.pick(MIC_HEADERS));
  for (let i = random.int(0, 14); i > 0; i--) {
    const line = validCommandLine(random);
    if (line !== null) lines.push(random.chance(0.15) ? `${line}  # note` : line);
    if (random.chance(0.1)) lines.push(random.pick(['', '# comment', '   ']));
  }
  for (let i = random.int(0, 6); i > 0; i--) {
    const draw = random.int(0, 9);
    if (draw < 3) lines.push(...packagesSection(random));
    else if (draw < 7) lines.push(...scriptSection(random));
    else if (draw < 8) lines.push(...linesSection(random));
    else lines.push(...random.pick([verbatimSection, certificateSection])(random));
  }
  const eol = random.chance(0.2) ? '\r\n' : '\n';
  const text = lines.join(eol) + (random.chance(0.9) ? eol : '');
  return random.chance(0.05) ? `\ufeff${text}` : text;
}

import { quoteToken } from './lexer.ts';

/**
 * Typed option specs and the argparse-like matcher pykickstart's commands and section headers share:
 * `--name=value` or `--name value`, unambiguous prefixes, flags, typed values, repeats and lists.
 */

/** Where an option or command comes from, so a strict pykickstart mode can refuse the extensions. */
export type Origin = 'pykickstart' | 'mic' | 'img';

interface OptionBase {
  /** Other spellings (without the dashes) that set the same option. */
  aliases?: readonly string[];
  /** Aliases that still work but warn, mapped to the advice given. */
  deprecatedAliases?: Readonly<Record<string, string>>;
  /** The option still parses but warns with this advice. */
  deprecated?: string;
  /** The option is refused with this advice. */
  removed?: string;
  required?: boolean;
  origin?: Origin;
  /** Words for error messages, e.g. "a size in MiB". */
  describe?: string;
}

export interface FlagOption extends OptionBase {
  kind: 'flag';
}
export interface StringOption extends OptionBase {
  kind: 'string';
  /** argparse's nargs='?': the value may be left out. */
  valueOptional?: boolean;
}
export interface IntOption extends OptionBase {
  kind: 'int';
  min?: number;
  max?: number;
}
export interface FloatOption extends OptionBase {
  kind: 'float';
  min?: number;
}
export interface BoolOption extends OptionBase {
  kind: 'bool';
}
export interface ChoiceOption<C extends string = string> extends OptionBase {
  kind: 'choice';
  choices: readonly C[];
  /** pykickstart lowers some values before looking them up (`autopart --type=LVM`); they are kept lowered. */
  ignoreCase?: boolean;
}
/** A comma-separated list; repeating the option adds to it. */
export interface ListOption extends OptionBase {
  kind: 'list';
}
/** An option that may be given several times, each value kept. */
export interface RepeatOption extends OptionBase {
  kind: 'repeat';
}
/**
 * Not an option but a mark on the spec: options it does not know are kept, in order, as arguments, as
 * argparse's parse_known_args does for commands that hand their line to another tool (authselect).
 */
export interface PassthroughOption extends OptionBase {
  kind: 'passthrough';
}

export type OptionSpec =
  | FlagOption
  | StringOption
  | IntOption
  | FloatOption
  | BoolOption
  | ChoiceOption
  | ListOption
  | RepeatOption
  | PassthroughOption;

export type OptionsSpec = Readonly<Record<string, OptionSpec>>;

export type OptionValueOf<S> = S extends PassthroughOption
  ? never
  : S extends FlagOption | BoolOption
    ? boolean
    : S extends IntOption | FloatOption
      ? number
      : S extends ChoiceOption<infer C>
        ? C
        : S extends ListOption | RepeatOption
          ? string[]
          : string;

export type OptionValues<O extends OptionsSpec> = { -readonly [K in keyof O]?: OptionValueOf<O[K]> };

export type OptionValue = string | number | boolean | string[];

/** Small constructors so that specs read like a table. */
export const opt = {
  flag: (o: Omit<FlagOption, 'kind'> = {}): FlagOption => ({ kind: 'flag', ...o }),
  string: (o: Omit<StringOption, 'kind'> = {}): StringOption => ({ kind: 'string', ...o }),
  int: (o: Omit<IntOption, 'kind'> = {}): IntOption => ({ kind: 'int', ...o }),
  float: (o: Omit<FloatOption, 'kind'> = {}): FloatOption => ({ kind: 'float', ...o }),
  bool: (o: Omit<BoolOption, 'kind'> = {}): BoolOption => ({ kind: 'bool', ...o }),
  choice: <const C extends string>(
    choices: readonly C[],
    o: Omit<ChoiceOption<C>, 'kind' | 'choices'> = {},
  ) => ({ kind: 'choice', choices, ...o }) as ChoiceOption<C>,
  list: (o: Omit<ListOption, 'kind'> = {}): ListOption => ({ kind: 'list', ...o }),
  repeat: (o: Omit<RepeatOption, 'kind'> = {}): RepeatOption => ({ kind: 'repeat', ...o }),
  passthrough: (): PassthroughOption => ({ kind: 'passthrough' }),
};

export interface ArgsSpec {
  min: number;
  /** null: no upper bound. */
  max: number | null;
  /** The arguments are one value written in words (`sshpw a password with spaces`), kept joined by spaces. */
  joined?: boolean;
  /** What the arguments are, for messages: "a time zone". */
  describe?: string;
}

export interface MatchContext {
  /** Accept options whose origin is not pykickstart. */
  extensions: boolean;
  error(message: string): void;
  warning(message: string): void;
}

/**
 * Groups of options that pykickstart stores in one place (argparse's `dest`), so that the last one given wins:
 * `rootpw --plaintext --iscrypted` is crypted, `selinux --enforcing --disabled` disabled.
 */
export type LastWins = readonly (readonly string[])[];

export interface MatchedOptions {
  values: Record<string, OptionValue>;
  args: string[];
}

const TRUE_WORDS = new Set(['yes', 'true', 'on', '1']);
const FALSE_WORDS = new Set(['no', 'false', 'off', '0']);

/** Matches tokens against a spec; reports every problem through the context and returns what it could read. */
export function matchOptions(
  spec: OptionsSpec,
  tokens: readonly string[],
  ctx: MatchContext,
  lastWins: LastWins = [],
): MatchedOptions {
  const index = spellingIndex(spec);
  const values: Record<string, OptionValue> = {};
  const args: string[] = [];
  // A required option given with a bad value has been reported already; "is required" would only add noise.
  const given = new Set<string>();
  const isOption = (token: string) => isOptionToken(index, token, ctx.extensions);
  let onlyArgs = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (onlyArgs || !isOption(token)) {
      args.push(token);
      continue;
    }
    if (token === '--') {
      onlyArgs = true;
      // A line handed on to another tool keeps its `--`, which means something to that tool too. argparse drops
      // a `--` only with the arguments after it, so one that ends the line is left over as an argument.
      if (index.passthrough || i === tokens.length - 1) args.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const spelled = eq < 0 ? token.slice(2) : token.slice(2, eq);
    const inline = eq < 0 ? undefined : token.slice(eq + 1);
    const found: Resolution = token.startsWith('--')
      ? resolveSpelling(index, spelled, ctx.extensions)
      : { kind: 'unknown' };
    if (found.kind === 'unknown' && index.passthrough) {
      args.push(token);
      continue;
    }
    if (!token.startsWith('--')) {
      ctx.error(`unknown option "${token}"`);
      continue;
    }
    if (found.kind === 'unknown') {
      ctx.error(`unknown option "--${spelled}"`);
      if (inline === undefined && i + 1 < tokens.length && !isOption(tokens[i + 1]!)) i++;
      continue;
    }
    if (found.kind === 'ambiguous') {
      ctx.error(
        `ambiguous option "--${spelled}" could be ${found.candidates.map((c) => `--${c}`).join(', ')}`,
      );
      continue;
    }
    const { key, spelling } = found;
    given.add(key);
    const option = spec[key]!;
    if (!ctx.extensions && option.origin && option.origin !== 'pykickstart') {
      ctx.error(`--${key} is a ${option.origin} extension, not pykickstart syntax`);
    }
    if (option.removed) {
      ctx.error(`--${spelling} is no longer supported: ${option.removed}`);
      // Its value is not an argument of the command.
      const next = tokens[i + 1];
      if (option.kind !== 'flag' && inline === undefined && next !== undefined && !isOption(next)) i++;
      continue;
    }
    if (option.deprecated) ctx.warning(`--${spelling} is deprecated: ${option.deprecated}`);
    const aliasAdvice = option.deprecatedAliases?.[spelling];
    if (aliasAdvice) ctx.warning(`--${spelling} is deprecated: ${aliasAdvice}`);

    if (option.kind === 'flag') {
      if (inline !== undefined) ctx.error(`--${spelling} takes no value, got "${inline}"`);
      else {
        overrideEarlier(key, values, lastWins, ctx);
        values[key] = true;
      }
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      const next = tokens[i + 1];
      if (next !== undefined && !isOption(next)) {
        raw = next;
        i++;
      } else if (option.kind === 'string' && option.valueOptional) {
        raw = '';
      } else {
        ctx.error(`--${spelling} expects ${describeValue(option)}`);
        continue;
      }
    }
    const converted = convert(option, raw);
    if (typeof converted === 'object' && 'problem' in converted) {
      ctx.error(`--${spelling} expects ${converted.problem}, got "${raw}"`);
      continue;
    }
    overrideEarlier(key, values, lastWins, ctx);
    if (option.kind === 'list') {
      // pykickstart's commaSplit: items trimmed, empty ones dropped.
      const items = (converted as string)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      values[key] = [...((values[key] as string[] | undefined) ?? []), ...items];
    } else if (option.kind === 'repeat') {
      values[key] = [...((values[key] as string[] | undefined) ?? []), converted as string];
    } else {
      values[key] = converted;
    }
  }
  for (const [key, option] of Object.entries(spec)) {
    if (option.required && !given.has(key)) ctx.error(`--${key} is required`);
  }
  return { values, args };
}

/**
 * Whether the spec keeps options it does not know as arguments; such arguments are written back as they came,
 * since a `--` in front of them would reach the tool the line is handed to.
 */
export function keepsUnknownOptions(spec: OptionsSpec): boolean {
  return Object.values(spec).some((option) => option.kind === 'passthrough');
}

/** Reports every group of options of which more than one was given. */
export function checkExclusive(
  groups: readonly (readonly string[])[],
  values: Readonly<Record<string, OptionValue | undefined>>,
  error: (message: string) => void,
): void {
  for (const group of groups) {
    const both = group.filter((key) => given(values[key]));
    if (both.length > 1) error(`${both.map((k) => `--${k}`).join(' and ')} cannot be used together`);
  }
}

/**
 * Whether an option counts as given where pykickstart checks one (`if ns.enabled:`): an empty value, an empty
 * list and a zero do not, so `services --enabled=` names no service.
 */
export function given(value: OptionValue | undefined): boolean {
  return (
    value !== undefined &&
    value !== '' &&
    value !== false &&
    value !== 0 &&
    !(Array.isArray(value) && value.length === 0)
  );
}

/** Removes the options of the key's last-wins group given before it, saying which one now wins. */
function overrideEarlier(
  key: string,
  values: Record<string, OptionValue>,
  lastWins: LastWins,
  ctx: MatchContext,
): void {
  for (const group of lastWins) {
    if (!group.includes(key)) continue;
    for (const other of group) {
      if (other === key || values[other] === undefined) continue;
      delete values[other];
      ctx.warning(`--${key} overrides --${other} given before it`);
    }
  }
}

/** argparse's negative numbers, which are values, never options, in a parser with no option that looks like one. */
const NEGATIVE_NUMBER = /^-\d+$|^-\d*\.\d+$/;

/**
 * Whether a token may be an option, whatever the command: it starts with a dash and is not a negative number.
 * Writing uses this; an argument it matches is written after `--`, which every reading takes as an argument.
 */
export function looksLikeOption(token: string): boolean {
  return token.length > 1 && token[0] === '-' && !NEGATIVE_NUMBER.test(token);
}

/**
 * argparse's reading of a token (its `_parse_optional`), which pykickstart inherits: an option when it names
 * one of the command's options (exactly, before an `=`, or by an unambiguous or ambiguous prefix); otherwise an
 * argument when it is a lone dash, a negative number or holds a space (`--mkfsoptions "-m bigtime=0"` gives
 * `-m bigtime=0` as the value); otherwise an unknown option.
 */
function isOptionToken(index: SpellingIndex, token: string, extensions: boolean): boolean {
  if (!looksLikeOption(token)) return false;
  if (!token.includes(' ')) return true;
  if (!token.startsWith('--')) return false;
  const eq = token.indexOf('=');
  return resolveSpelling(index, token.slice(2, eq < 0 ? undefined : eq), extensions).kind !== 'unknown';
}

type Resolution =
  | { kind: 'found'; key: string; spelling: string }
  | { kind: 'ambiguous'; candidates: string[] }
  | { kind: 'unknown' };

interface SpellingIndex {
  /** spelling → option key */
  bySpelling: Map<string, string>;
  /** The spellings a prefix may stand for: not those of removed options, which pykickstart no longer has. */
  prefixable: { spelling: string; extension: boolean }[];
  /** The spec keeps unknown options as arguments. */
  passthrough: boolean;
}

const indexCache = new WeakMap<OptionsSpec, SpellingIndex>();

function spellingIndex(spec: OptionsSpec): SpellingIndex {
  let index = indexCache.get(spec);
  if (!index) {
    const bySpelling = new Map<string, string>();
    const prefixable: SpellingIndex['prefixable'] = [];
    for (const [key, option] of Object.entries(spec)) {
      if (option.kind === 'passthrough') continue;
      const spellings = [key, ...(option.aliases ?? []), ...Object.keys(option.deprecatedAliases ?? {})];
      const extension = option.origin !== undefined && option.origin !== 'pykickstart';
      for (const spelling of spellings) {
        bySpelling.set(spelling, key);
        if (!option.removed) prefixable.push({ spelling, extension });
      }
    }
    prefixable.sort((a, b) => (a.spelling < b.spelling ? -1 : 1));
    index = { bySpelling, prefixable, passthrough: keepsUnknownOptions(spec) };
    indexCache.set(spec, index);
  }
  return index;
}

/**
 * An exact spelling, else argparse's abbreviation: a prefix of exactly one spelling. Like argparse, a prefix of
 * two spellings of one option (`%post --lo`: --log, --logfile) is ambiguous. Without extensions, their spellings
 * take no part, so a prefix means what it means to pykickstart.
 */
function resolveSpelling(index: SpellingIndex, spelled: string, extensions: boolean): Resolution {
  const exact = index.bySpelling.get(spelled);
  if (exact !== undefined) return { kind: 'found', key: exact, spelling: spelled };
  if (spelled === '') return { kind: 'unknown' };
  const matches = index.prefixable
    .filter((s) => s.spelling.startsWith(spelled) && (extensions || !s.extension))
    .map((s) => s.spelling);
  if (matches.length === 0) return { kind: 'unknown' };
  if (matches.length > 1) return { kind: 'ambiguous', candidates: matches };
  const spelling = matches[0]!;
  return { kind: 'found', key: index.bySpelling.get(spelling)!, spelling };
}

function describeValue(option: OptionSpec): string {
  if (option.describe) return option.describe;
  switch (option.kind) {
    case 'int':
      return 'a whole number';
    case 'float':
      return 'a number';
    case 'bool':
      return 'yes or no';
    case 'choice':
      return `one of ${option.choices.join(', ')}`;
    case 'list':
      return 'a comma-separated list';
    default:
      return 'a value';
  }
}

function convert(option: OptionSpec, raw: string): OptionValue | { problem: string } {
  switch (option.kind) {
    case 'int': {
      // Python's int(): blanks around, a sign, and single underscores between digits (1_000).
      if (!/^[+-]?\d(?:_?\d)*$/.test(raw.trim())) return { problem: 'a number' };
      const n = Number.parseInt(raw.replaceAll('_', ''), 10);
      // Beyond 2^53 the number read is not the number written, and it would be written back as "1e+23".
      if (!Number.isSafeInteger(n)) return { problem: `a number of at most ${Number.MAX_SAFE_INTEGER}` };
      if (option.min !== undefined && n < option.min)
        return { problem: `a number of at least ${option.min}` };
      if (option.max !== undefined && n > option.max) return { problem: `a number of at most ${option.max}` };
      return n;
    }
    case 'float': {
      const n = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(n)) return { problem: 'a number' };
      if (option.min !== undefined && n < option.min)
        return { problem: `a number of at least ${option.min}` };
      return n;
    }
    case 'bool': {
      const word = raw.toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      return { problem: 'yes or no' };
    }
    case 'choice': {
      const value = option.ignoreCase ? raw.toLowerCase() : raw;
      return option.choices.includes(value) ? value : { problem: `one of ${option.choices.join(', ')}` };
    }
    default:
      return raw;
  }
}

/**
 * Writes an option back in its canonical spelling, always with `=` so that a value starting with a dash stays a
 * value; nothing for a flag that is not set. An empty list is still written (`--key=''`): commands may check
 * that an option was given at all.
 */
export function writeOption(key: string, option: OptionSpec, value: OptionValue): string[] {
  switch (option.kind) {
    case 'flag':
      return value === true ? [`--${key}`] : [];
    case 'bool':
      return [`--${key}=${value ? 'yes' : 'no'}`];
    case 'list':
      return [`--${key}=${quoteToken((value as string[]).join(','))}`];
    case 'repeat':
      return (value as string[]).map((v) => `--${key}=${quoteToken(v)}`);
    case 'passthrough':
      return [];
    case 'string':
      return option.valueOptional && value === '' ? [`--${key}`] : [`--${key}=${quoteToken(String(value))}`];
    default:
      return [`--${key}=${quoteToken(String(value))}`];
  }
}

/** Every option that has a value, in the order the spec declares them. */
export function writeOptions(
  spec: OptionsSpec,
  values: Readonly<Record<string, OptionValue | undefined>>,
): string[] {
  return Object.entries(spec).flatMap(([key, option]) => {
    const value = values[key];
    return value === undefined ? [] : writeOption(key, option, value);
  });
}

import type { Check, CommandSpec, ParsedCommand } from './command-spec.ts';
import { findCommand } from './commands/index.ts';
import { type Diagnostic, DiagnosticList, type Location } from './diagnostics.ts';
import { fileIncludeReader, type IncludeReader } from './include.ts';
import { splitLine } from './lexer.ts';
import { parseMicHeader } from './mic-header.ts';
import {
  emptyKickstart,
  type GroupInclude,
  type Kickstart,
  type PackageOptions,
  type PackageSelection,
  type Script,
} from './model.ts';
import {
  checkExclusive,
  type MatchContext,
  matchOptions,
  type OptionValue,
  type OptionValues,
} from './options.ts';
import {
  type CERTIFICATE_OPTIONS,
  DEFAULT_INTERPRETER,
  PACKAGES_EXCLUSIVE,
  PACKAGES_STICKY_OPTIONS,
  SECTIONS,
  type SectionSpec,
} from './sections.ts';
import { DEFAULT_MAX_BYTES, decodeLines } from './source.ts';
import { substituteTokens, type TokenMap } from './tokens.ts';

export interface ParseOptions {
  /** The name errors give the file: its path, or a label such as `<stdin>`. */
  file?: string;
  /** Folder relative names (the file's own, and its includes) are resolved against; default the working folder. */
  baseDir?: string;
  /** Folders includes may come from; default: the folder of the kickstart itself (or baseDir). */
  includeRoots?: readonly string[];
  allowUrls?: boolean;
  /** Replaces the file-system reader, e.g. for the service, which allows no includes at all. */
  readInclude?: IncludeReader;
  maxBytes?: number;
  maxIncludeDepth?: number;
  /** `@TOKEN@` values substituted in every file before it is parsed; none by default. */
  tokens?: TokenMap;
  /** Accept mic's and IMG's extensions (default), or only pykickstart's syntax. */
  extensions?: boolean;
}

export interface ParseResult {
  kickstart: Kickstart;
  diagnostics: Diagnostic[];
  errors: Diagnostic[];
  warnings: Diagnostic[];
  ok: boolean;
}

export const DEFAULT_MAX_INCLUDE_DEPTH = 10;

interface SourceLine {
  text: string;
  location: Location;
}

interface OpenFile {
  file: string;
  lines: SourceLine[];
  next: number;
  depth: number;
}

/** A stack of files: %include pushes the included one, which is read to its end before the includer resumes. */
class LineStream {
  private readonly stack: OpenFile[] = [];

  push(file: string, lines: SourceLine[], depth: number): void {
    this.stack.push({ file, lines, next: 0, depth });
  }

  get depth(): number {
    return this.stack.at(-1)?.depth ?? 0;
  }

  isOpen(file: string): boolean {
    return this.stack.some((f) => f.file === file);
  }

  next(): SourceLine | undefined {
    for (;;) {
      const top = this.stack.at(-1);
      if (!top) return undefined;
      if (top.next < top.lines.length) return top.lines[top.next++];
      this.stack.pop();
    }
  }
}

function firstWord(text: string): string {
  const trimmed = text.trimStart();
  const end = trimmed.search(/\s/);
  return end < 0 ? trimmed : trimmed.slice(0, end);
}

/** The first word of a line that starts with `%`, else ''. Most lines in a section do not, and are let through cheaply. */
function percentWord(text: string): string {
  const trimmed = text.trimStart();
  return trimmed.charCodeAt(0) === 0x25 ? firstWord(trimmed) : '';
}

interface SelectionSets {
  packages: Set<string>;
  excludedPackages: Set<string>;
  groups: Map<string, GroupInclude>;
  excludedGroups: Set<string>;
  /** The latest %packages header, whose options are the ones in force. */
  header: Location;
}

class Parser {
  readonly diagnostics = new DiagnosticList();
  readonly kickstart = emptyKickstart();
  private readonly stream = new LineStream();
  private readonly readInclude: IncludeReader;
  private readonly maxBytes: number;
  private readonly maxDepth: number;
  private readonly tokens: TokenMap | undefined;
  private readonly extensions: boolean;
  /** Every %packages section so far as ordered sets: a 20,000-line section must not scan a list per line. */
  private selection: SelectionSets | undefined;
  /** The slot each singular command fills, to find the one a repeat replaces. */
  private readonly slots = new Map<string, ParsedCommand>();
  /** Every command given so far, with its first line, even when replaced since: conflicts are with any. */
  private readonly seen = new Map<string, Location>();

  constructor(options: ParseOptions) {
    const baseDir = options.baseDir ?? process.cwd();
    this.readInclude =
      options.readInclude ??
      fileIncludeReader({
        roots: options.includeRoots ?? [defaultRoot(options.file, baseDir)],
        baseDir,
        allowUrls: options.allowUrls ?? false,
      });
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.maxDepth = options.maxIncludeDepth ?? DEFAULT_MAX_INCLUDE_DEPTH;
    this.tokens = options.tokens;
    this.extensions = options.extensions ?? true;
  }

  parse(input: string | Uint8Array, file: string): void {
    const lines = this.open(input, file, 0);
    if (!lines) return;
    this.readMicHeader(lines[0]?.text, file);
    this.stream.push(file, lines, 0);
    this.run();
  }

  /**
   * Decodes a file and splices in its %ksappend files, which pykickstart does before parsing anything.
   * Appended lines are parsed as if written in place of the %ksappend, but keep their own file and line for
   * messages, so the lines after a %ksappend keep their numbers too.
   */
  private open(input: string | Uint8Array, file: string, depth: number): SourceLine[] | null {
    const decoded = decodeLines(input, file, this.maxBytes, this.diagnostics);
    if (!decoded) return null;
    const tokens = this.tokens;
    const lines = decoded.map(
      (text, index): SourceLine => ({
        text: tokens ? substituteTokens(text, tokens) : text,
        location: { file, line: index + 1 },
      }),
    );
    if (!lines.some((l) => l.text.includes('%ksappend'))) return lines;
    return lines.flatMap((line) =>
      firstWord(line.text) === '%ksappend'
        ? (this.readReference(line.text, line.location, '%ksappend', depth)?.lines ?? [])
        : [line],
    );
  }

  private readReference(
    line: string,
    at: Location,
    directive: '%include' | '%ksappend',
    depth: number,
  ): { file: string; lines: SourceLine[] } | null {
    const split = splitLine(line);
    if (!split.ok) {
      this.diagnostics.error(at, split.error);
      return null;
    }
    if (split.tokens.length !== 2) {
      this.diagnostics.error(at, `${directive} expects one file name`);
      return null;
    }
    if (depth >= this.maxDepth) {
      this.diagnostics.error(at, `${directive} nests deeper than ${this.maxDepth} files`);
      return null;
    }
    const result = this.readInclude({ target: split.tokens[1]!, directive, from: at });
    if (!result.ok) {
      this.diagnostics.error(at, result.error);
      return null;
    }
    if (this.stream.isOpen(result.file) || result.file === at.file) {
      this.diagnostics.error(at, `${directive} ${split.tokens[1]} includes itself`);
      return null;
    }
    const lines = this.open(result.content, result.file, depth + 1);
    return lines ? { file: result.file, lines } : null;
  }

  private readMicHeader(firstLine: string | undefined, file: string): void {
    if (firstLine === undefined) return;
    const header = parseMicHeader(firstLine);
    if (!header.found) return;
    const at = { file, line: 1 };
    if ('error' in header) this.diagnostics.warning(at, header.error);
    else this.kickstart.micOptions = header.options;
    if (!this.extensions) this.diagnostics.error(at, 'the mic options header is a mic extension');
  }

  private run(): void {
    let pending = this.stream.next();
    while (pending) {
      const { text, location } = pending;
      pending = undefined;
      const word = firstWord(text);
      if (word === '' || word.startsWith('#')) {
        pending = this.stream.next();
        continue;
      }
      if (word.startsWith('%')) {
        pending = this.section(word, text, location);
        continue;
      }
      this.command(text, location);
      pending = this.stream.next();
    }
  }

  /** Handles a %-line in command context; returns the line that ended the section, if one did. */
  private section(word: string, text: string, at: Location): SourceLine | undefined {
    if (word === '%include') {
      this.include({ text, location: at });
      return this.stream.next();
    }
    if (word === '%end') {
      this.diagnostics.error(at, '%end without an open section');
      return this.stream.next();
    }
    const spec = SECTIONS.get(word);
    if (!spec) {
      this.diagnostics.error(at, `unknown section "${word}"`);
      return this.skipUnknownSection();
    }
    return this.readSection(spec, text, at);
  }

  private include({ text, location }: SourceLine): void {
    const included = this.readReference(text, location, '%include', this.stream.depth);
    if (included) this.stream.push(included.file, included.lines, this.stream.depth + 1);
  }

  /** An unknown section's body would be misread as commands, so skip to its %end. */
  private skipUnknownSection(): SourceLine | undefined {
    for (let line = this.stream.next(); line; line = this.stream.next()) {
      const word = percentWord(line.text);
      if (word === '%end') return this.stream.next();
      if (SECTIONS.has(word)) return line;
    }
    return undefined;
  }

  private readSection(spec: SectionSpec, header: string, at: Location): SourceLine | undefined {
    const check = this.check(at, spec.name);
    if (!this.extensions && spec.origin && spec.origin !== 'pykickstart') {
      check.error(`${spec.name} is a ${spec.origin} extension, not pykickstart syntax`);
    }
    if (spec.deprecated) check.warning(`deprecated: ${spec.deprecated}`);
    const split = splitLine(header);
    const headerTokens = split.ok ? split.tokens.slice(1) : [];
    if (!split.ok) this.diagnostics.error(at, split.error);
    // Addon arguments belong to the add-on, not to us; every other header is checked before its body.
    const { values, args } =
      spec.body === 'addon'
        ? { values: {}, args: [] }
        : matchOptions(spec.options, headerTokens, this.matchContext(check));
    if (args.length > 0) check.error(`unexpected argument${args.length > 1 ? 's' : ''} ${quoteAll(args)}`);

    const body: SourceLine[] = [];
    let ending: SourceLine | undefined;
    let closed = false;
    for (let line = this.stream.next(); line; line = this.stream.next()) {
      const word = percentWord(line.text);
      if (word === '%end') {
        closed = true;
        break;
      }
      // pykickstart follows %include inside any section, a script included: the file's lines join the body.
      if (word === '%include') {
        this.include(line);
        continue;
      }
      if (SECTIONS.has(word)) {
        this.diagnostics.error(
          line.location,
          `${spec.name} is not closed by %end (it starts at line ${at.line})`,
        );
        ending = line;
        closed = true;
        break;
      }
      body.push(line);
    }
    if (!closed) {
      const end = body.at(-1)?.location ?? at;
      this.diagnostics.error(end, `${spec.name} is not closed by %end (it starts at line ${at.line})`);
    }
    const next = ending ?? this.stream.next();

    if (spec.body === 'addon') {
      this.addon(headerTokens, body, at);
      return next;
    }
    switch (spec.body) {
      case 'packages':
        this.packages(values, body, at);
        break;
      case 'script':
        // pykickstart drops a script with nothing but white space in it, so it runs nothing and means nothing.
        if (body.some((l) => l.text.trim() !== '')) {
          this.kickstart.scripts.push(scriptFrom(spec, values, body, at));
        }
        break;
      case 'lines': {
        const items = body.map((l) => stripComment(l.text)).filter((l) => l !== '');
        if (spec.name === '%prepackages') {
          this.kickstart.prepackages = [...(this.kickstart.prepackages ?? []), ...items];
        } else {
          this.kickstart.attachments = [...(this.kickstart.attachments ?? []), ...items];
        }
        break;
      }
      case 'certificate':
        this.certificate(values, body, check, at);
        break;
      case 'raw':
        if (this.kickstart.anaconda) {
          this.diagnostics.warning(at, `${spec.name} given again; this one is used`);
        }
        this.kickstart.anaconda = { body: joinBody(body), location: at };
        break;
    }
    return next;
  }

  private addon(tokens: string[], body: SourceLine[], at: Location): void {
    const [name = '', ...args] = tokens;
    // pykickstart keeps any %addon for the installer to hand out; one with no name reaches no add-on.
    if (name === '') this.diagnostics.warning(at, '%addon: no add-on name, so no add-on will read it');
    this.kickstart.addons.push({ name, args, body: joinBody(body), location: at });
  }

  private certificate(values: Record<string, OptionValue>, body: SourceLine[], check: Check, at: Location) {
    const { filename, dir, type } = values as OptionValues<typeof CERTIFICATE_OPTIONS>;
    if (dir === undefined && type === undefined) check.error('expects --dir or --type (where it goes)');
    if (body.every((line) => line.text.trim() === '')) check.error('the section holds no certificate');
    if (filename === undefined) return;
    this.kickstart.certificates.push({
      filename,
      dir: dir ?? null,
      type: type ?? null,
      body: joinBody(body),
      location: at,
    });
  }

  private packages(options: Record<string, OptionValue>, body: SourceLine[], at: Location): void {
    this.kickstart.packages ??= {
      options: {},
      packages: [],
      excludedPackages: [],
      groups: [],
      excludedGroups: [],
      environment: null,
      location: at,
    };
    this.selection ??= {
      packages: new Set(),
      excludedPackages: new Set(),
      groups: new Map(),
      excludedGroups: new Set(),
      header: at,
    };
    const selection: PackageSelection = this.kickstart.packages;
    const sets = this.selection;
    const sticky = (key: string) => PACKAGES_STICKY_OPTIONS.includes(key);
    const dropped = Object.keys(selection.options).filter(
      (key) => !sticky(key) && options[key] === undefined,
    );
    if (dropped.length > 0) {
      const what = `${dropped.map((key) => `--${key}`).join(', ')} (${lineOf(sets.header, at)})`;
      this.diagnostics.warning(
        at,
        `%packages: ${what} no longer ${dropped.length > 1 ? 'apply' : 'applies'}: each %packages header sets its options anew`,
      );
    }
    const kept = Object.entries(selection.options).filter(([key]) => sticky(key));
    const inForce: Record<string, OptionValue> = { ...Object.fromEntries(kept), ...options };
    const conflicts: string[] = [];
    checkExclusive(PACKAGES_EXCLUSIVE, options, (message) => conflicts.push(message));
    for (const message of conflicts) this.diagnostics.error(at, `%packages: ${message}`);
    // pykickstart checks each header alone; a --default kept from an earlier one still contradicts a --nocore.
    if (conflicts.length === 0) {
      checkExclusive(PACKAGES_EXCLUSIVE, inForce, (message) =>
        this.diagnostics.warning(at, `%packages: ${message} (one kept from an earlier header)`),
      );
    }
    selection.options = inForce as PackageOptions;
    sets.header = at;
    for (const { text, location } of body) {
      const line = stripComment(text);
      if (line === '') continue;
      if (line.startsWith('%')) {
        this.diagnostics.warning(
          location,
          `%packages: "${firstWord(line)}" is not a section, so the line is read as a package name`,
        );
      }
      if (line.startsWith('@^')) {
        const name = line.slice(2).trim();
        if (name === '') this.nameless(location, '@^', 'environment');
        else selection.environment = name;
      } else if (line.startsWith('-@^') && line.slice(3).trim() === selection.environment) {
        // pykickstart's way to drop the environment an earlier section (an included one, say) chose.
        selection.environment = null;
      } else if (line.startsWith('-@')) {
        const name = line.slice(2).trim();
        if (name === '') this.nameless(location, '-@', 'group');
        else {
          sets.groups.delete(name);
          sets.excludedGroups.add(name);
        }
      } else if (line.startsWith('@')) {
        this.group(sets, line.slice(1), location);
      } else if (line.startsWith('-')) {
        const name = line.slice(1).trim();
        if (this.packageName(name, location)) {
          sets.packages.delete(name);
          sets.excludedPackages.add(name);
        }
      } else if (this.packageName(line, location)) {
        sets.excludedPackages.delete(line);
        sets.packages.add(line);
      }
    }
    selection.packages = [...sets.packages];
    selection.excludedPackages = [...sets.excludedPackages];
    selection.groups = [...sets.groups].map(([name, include]) => ({ name, include }));
    selection.excludedGroups = [...sets.excludedGroups];
  }

  /** A `-` with no name breaks pykickstart; a name with a space in it is one name, which no repository has. */
  private packageName(name: string, at: Location): boolean {
    if (name === '') {
      this.diagnostics.error(at, '%packages: "-" needs a package name');
      return false;
    }
    if (/\s/.test(name)) {
      this.diagnostics.warning(at, `%packages: "${name}" is one name with a space in it; one package a line`);
    }
    return true;
  }

  /** pykickstart takes a marker with no name, as a name no repository has; it selects nothing, so it is dropped. */
  private nameless(at: Location, marker: string, what: string): void {
    this.diagnostics.warning(at, `%packages: "${marker}" names no ${what}; ignored`);
  }

  /**
   * Group names may hold spaces (`@MeeGo Core`). The words that name --nodefaults or --optional (a prefix will
   * do) are options; any other word, `--bogus` too, is part of the name, as pykickstart's argparse leaves it.
   */
  private group(sets: SelectionSets, text: string, at: Location): void {
    const words = text.trim().split(/\s+/);
    const nameWords: string[] = [];
    let nodefaults = false;
    let optional = false;
    for (const word of words) {
      const option = groupOption(word);
      if (option === 'nodefaults') {
        nodefaults = true;
      } else if (option === 'optional') {
        optional = true;
      } else if (option === 'with a value') {
        this.diagnostics.error(at, `%packages: "${word}": --nodefaults and --optional take no value`);
      } else {
        if (word.startsWith('--')) {
          this.diagnostics.warning(
            at,
            `%packages: "${word}" is no group option, so it is part of the group's name`,
          );
        }
        nameWords.push(word);
      }
    }
    if (nodefaults && optional) {
      this.diagnostics.error(at, '%packages: --nodefaults and --optional cannot be used together');
    }
    const include: GroupInclude = nodefaults ? 'required' : optional ? 'all' : 'default';
    const name = nameWords.join(' ');
    if (name === '') {
      this.nameless(at, '@', 'group');
      return;
    }
    sets.excludedGroups.delete(name);
    // Declared again, the group moves to its latest place, as if the earlier line were gone.
    sets.groups.delete(name);
    sets.groups.set(name, include);
  }

  private command(text: string, at: Location): void {
    const split = splitLine(text);
    if (!split.ok) {
      this.diagnostics.error(at, split.error);
      return;
    }
    const [word, ...commented] = split.tokens;
    if (word === undefined) return;
    const spec = findCommand(word);
    if (!spec) {
      this.diagnostics.error(at, `unknown command "${word}"`);
      return;
    }
    let rest = commented;
    if (spec.keepsComments) {
      // A quote in what was a comment now counts: `realm join x # it's` is unterminated.
      const whole = splitLine(text, false);
      if (!whole.ok) {
        this.diagnostics.error(at, whole.error);
        return;
      }
      rest = whole.tokens.slice(1);
    }
    const check = this.check(at, word);
    if (spec.ignored) {
      check.warning(spec.ignored);
      return;
    }
    if (!this.extensions && spec.origin && spec.origin !== 'pykickstart') {
      check.error(`a ${spec.origin} extension, not pykickstart syntax`);
    }
    const matched = matchOptions(spec.options, rest, this.matchContext(check), spec.lastWins);
    checkArgs(spec, matched.args, check);
    const args = spec.args?.joined && matched.args.length > 0 ? [matched.args.join(' ')] : matched.args;
    checkExclusive(spec.exclusive ?? [], matched.values, check.error);
    const parsed: ParsedCommand = { name: spec.name, args, options: matched.values, location: at };
    spec.validate?.(parsed, check);
    // A command in conflict is not kept: it would only replace, or add to, the one it conflicts with.
    if (this.noConflict(spec, at, check)) this.store(spec, parsed, check);
  }

  /** pykickstart's conflictingCommands: reports every earlier command that cannot go with this one. */
  private noConflict(spec: CommandSpec, at: Location, check: Check): boolean {
    let none = true;
    for (const [name, earlier] of this.seen) {
      const other = findCommand(name);
      if (spec.conflicts?.includes(name) || other?.conflicts?.includes(spec.name)) {
        check.error(`cannot be used with ${name} (${lineOf(earlier, at)})`);
        none = false;
      }
    }
    if (!this.seen.has(spec.name)) this.seen.set(spec.name, at);
    return none;
  }

  private store(spec: CommandSpec, parsed: ParsedCommand, check: Check): void {
    const commands = this.kickstart.commands;
    if (spec.multiple) {
      const key = spec.multiple.key?.(parsed);
      if (key !== undefined) {
        const earlier = commands.findIndex((c) => c.name === spec.name && spec.multiple!.key!(c) === key);
        if (earlier >= 0) {
          const what = spec.multiple.what ?? spec.name;
          const where = lineOf(commands[earlier]!.location, parsed.location);
          if (spec.multiple.duplicateIsError) {
            check.error(`${what} "${key}" was already declared at ${where}`);
            return;
          }
          check.warning(`${what} "${key}" was already declared at ${where}; the last one wins`);
          commands.splice(earlier, 1);
        }
      }
      commands.push(parsed);
      return;
    }
    const slot = spec.slot ?? spec.name;
    const earlier = this.slots.get(slot);
    if (earlier && spec.once) {
      check.error(`may be given only once; it was given at ${lineOf(earlier.location, parsed.location)}`);
      return;
    }
    if (earlier) {
      const where = lineOf(earlier.location, parsed.location);
      check.warning(
        earlier.name === parsed.name
          ? `given again; this one replaces ${where}`
          : `replaces ${earlier.name} (${where})`,
      );
      commands.splice(commands.indexOf(earlier), 1);
    }
    this.slots.set(slot, parsed);
    commands.push(parsed);
  }

  private check(at: Location, owner: string): Check {
    return {
      error: (message) => this.diagnostics.error(at, `${owner}: ${message}`),
      warning: (message) => this.diagnostics.warning(at, `${owner}: ${message}`),
    };
  }

  private matchContext(check: Check): MatchContext {
    return { extensions: this.extensions, error: check.error, warning: check.warning };
  }
}

/** A word of a group line read as argparse reads it against `--nodefaults` and `--optional`. */
function groupOption(word: string): 'nodefaults' | 'optional' | 'with a value' | undefined {
  if (!word.startsWith('--') || word === '--') return undefined;
  const eq = word.indexOf('=');
  const spelled = word.slice(2, eq < 0 ? undefined : eq);
  const option = (['nodefaults', 'optional'] as const).find((o) => spelled !== '' && o.startsWith(spelled));
  if (option === undefined) return undefined;
  return eq < 0 ? option : 'with a value';
}

function defaultRoot(file: string | undefined, baseDir: string): string {
  if (!file) return baseDir;
  const slash = file.lastIndexOf('/');
  if (slash < 0) return baseDir;
  return file.startsWith('/') ? file.slice(0, slash) || '/' : `${baseDir}/${file.slice(0, slash)}`;
}

/** An earlier line, named with its file when that is not the file being read (an include). */
function lineOf(earlier: Location, now: Location): string {
  return earlier.file === now.file ? `line ${earlier.line}` : `${earlier.file} line ${earlier.line}`;
}

function checkArgs(spec: CommandSpec, args: string[], check: Check): void {
  const { min, max, describe } = spec.args ?? { min: 0, max: 0 };
  const what = describe ? ` (${describe})` : '';
  if (args.length < min) {
    const count = min === max ? `${min}` : `at least ${min}`;
    check.error(`expects ${count} argument${min === 1 ? '' : 's'}${what}, got ${args.length}`);
  } else if (max !== null && args.length > max) {
    check.error(
      max === 0
        ? `takes no arguments, got ${quoteAll(args)}`
        : `too many arguments${what}: ${quoteAll(args)}`,
    );
  }
}

function scriptFrom(
  spec: SectionSpec,
  values: Record<string, OptionValue>,
  body: SourceLine[],
  at: Location,
): Script {
  return {
    kind: spec.script!,
    body: joinBody(body),
    interpreter: typeof values.interpreter === 'string' ? values.interpreter : DEFAULT_INTERPRETER,
    nochroot: values.nochroot === true,
    erroronfail: values.erroronfail === true,
    log: typeof values.log === 'string' ? values.log : null,
    location: at,
  };
}

function joinBody(lines: SourceLine[]): string {
  return lines.map((l) => `${l.text}\n`).join('');
}

function stripComment(text: string): string {
  const hash = text.indexOf('#');
  return (hash < 0 ? text : text.slice(0, hash)).trim();
}

function quoteAll(values: string[]): string {
  return values.map((v) => `"${v}"`).join(' ');
}

export function parseKickstart(input: string | Uint8Array, options: ParseOptions = {}): ParseResult {
  const parser = new Parser(options);
  parser.parse(input, options.file ?? '<kickstart>');
  const diagnostics = parser.diagnostics.items;
  const errors = parser.diagnostics.errors;
  return {
    kickstart: parser.kickstart,
    diagnostics,
    errors,
    warnings: parser.diagnostics.warnings,
    ok: errors.length === 0,
  };
}

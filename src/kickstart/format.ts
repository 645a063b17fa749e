import type { ParsedCommand } from './command-spec.ts';
import { COMMANDS, findCommand } from './commands/index.ts';
import { quoteToken } from './lexer.ts';
import { writeMicHeader } from './mic-header.ts';
import type { Certificate, Kickstart, PackageGroup, PackageSelection, Script, ScriptKind } from './model.ts';
import { keepsUnknownOptions, looksLikeOption, type OptionValue, writeOptions } from './options.ts';
import { CERTIFICATE_OPTIONS, DEFAULT_INTERPRETER, PACKAGES_OPTIONS, SECTIONS } from './sections.ts';

/**
 * Canonical kickstart text, as pykickstart's ksflatten writes it: includes already flattened (the model holds
 * none), the mic options header first, then the commands in the registry's order (a repeated command keeps its
 * file order), then the sections. Comments are not kept: the model holds none. Parsing the result gives the
 * same `kickstartMeaning`.
 *
 * Sections come in the order they run or are used: %certificate (installed first), %pre, %pre-install,
 * %packages, %prepackages, then %post, %onerror and %traceback mixed in file order (they run at different
 * moments, so only the order within each kind matters), %attachment, %pack, %addon and %anaconda.
 */
export function formatKickstart(ks: Kickstart): string {
  const blocks: string[] = [];
  const head = [
    ...(ks.micOptions ? [writeMicHeader(ks.micOptions)] : []),
    ...commandsInWritingOrder(ks.commands).map(formatCommand),
  ];
  if (head.length > 0) blocks.push(head.map((line) => `${line}\n`).join(''));
  const scripts = (kinds: readonly ScriptKind[]) =>
    ks.scripts.filter((s) => kinds.includes(s.kind)).map(formatScript);
  blocks.push(...ks.certificates.map(formatCertificate));
  blocks.push(...scripts(['pre']), ...scripts(['pre-install']));
  if (ks.packages) blocks.push(formatPackages(ks.packages));
  if (ks.prepackages) blocks.push(section('%prepackages', lines(ks.prepackages)));
  blocks.push(...scripts(['post', 'onerror', 'traceback']));
  if (ks.attachments) blocks.push(section('%attachment', lines(ks.attachments)));
  blocks.push(...scripts(['pack']));
  for (const addon of ks.addons) {
    // The header is split like a command line, so its words are quoted the same way; a nameless one stays so.
    const words = addon.name === '' && addon.args.length === 0 ? [] : [addon.name, ...addon.args];
    blocks.push(section(['%addon', ...words.map(quoteToken)].join(' '), addon.body));
  }
  if (ks.anaconda) blocks.push(section('%anaconda', ks.anaconda.body));
  return blocks.join('\n');
}

const REGISTRY_ORDER = new Map(Object.values(COMMANDS).map((spec, index) => [spec.name, index]));

/** Commands grouped in the registry's order; a stable sort keeps repeated commands (part, repo…) in file order. */
export function commandsInWritingOrder(commands: readonly ParsedCommand[]): ParsedCommand[] {
  const rank = (c: ParsedCommand) => REGISTRY_ORDER.get(c.name) ?? Number.POSITIVE_INFINITY;
  return [...commands].sort((a, b) => rank(a) - rank(b));
}

/**
 * A body as a file holds it: lines end with LF, the last one too. A body built in code ("echo hi") would
 * otherwise run into its %end; the parser never produces anything else, so parsed bodies are unchanged.
 */
export function normaliseBody(body: string): string {
  const lf = body.replace(/\r\n?/g, '\n');
  return lf === '' || lf.endsWith('\n') ? lf : `${lf}\n`;
}

/** Package and group names sorted as ksflatten sorts them, so that two spellings of one selection match. */
export function sortedNames(names: readonly string[]): string[] {
  return [...names].sort();
}

export function sortedGroups(groups: readonly PackageGroup[]): PackageGroup[] {
  return [...groups].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The option values a script header carries, leaving out the defaults. */
function scriptOptions(script: Script): Record<string, OptionValue> {
  return {
    ...(script.interpreter !== DEFAULT_INTERPRETER && { interpreter: script.interpreter }),
    ...(script.nochroot && { nochroot: true }),
    ...(script.erroronfail && { erroronfail: true }),
    ...(script.log !== null && { log: script.log }),
  };
}

function formatCommand(command: ParsedCommand): string {
  const spec = findCommand(command.name);
  if (!spec) throw new Error(`formatKickstart: no command spec for "${command.name}"`);
  const options = writeOptions(spec.options, command.options);
  const args = command.args.map(quoteToken);
  // Arguments come first, as in `part /boot --size=500`, unless one looks like an option: then only `--` keeps
  // it an argument, and everything after `--` is one. A command that keeps unknown options as arguments
  // (authselect) reads them back as such without it, and hands its line on, so it gets none.
  const needsSeparator = command.args.some(looksLikeOption) && !keepsUnknownOptions(spec.options);
  const words = needsSeparator ? [...options, '--', ...args] : [...args, ...options];
  return [command.name, ...words].join(' ');
}

function formatScript(script: Script): string {
  const name = `%${script.kind}`;
  const spec = SECTIONS.get(name);
  if (!spec) throw new Error(`formatKickstart: no section spec for "${name}"`);
  return section([name, ...writeOptions(spec.options, scriptOptions(script))].join(' '), script.body);
}

function formatCertificate(certificate: Certificate): string {
  const { filename, dir, type } = certificate;
  const options = writeOptions(CERTIFICATE_OPTIONS, {
    filename,
    ...(dir !== null && { dir }),
    ...(type !== null && { type }),
  });
  return section(['%certificate', ...options].join(' '), certificate.body);
}

function formatPackages(selection: PackageSelection): string {
  // `@ ^x` is a group and `- @x` an excluded package: the space keeps such names from reading as `@^` or `-@`.
  const after = (marker: string, name: string, lookalike: string) =>
    `${marker}${name.startsWith(lookalike) ? ' ' : ''}${name}`;
  const groupLine = ({ name, include }: PackageGroup) =>
    `${after('@', name, '^')}${include === 'required' ? ' --nodefaults' : include === 'all' ? ' --optional' : ''}`;
  const body = [
    ...(selection.environment === null ? [] : [`@^${selection.environment}`]),
    ...sortedGroups(selection.groups).map(groupLine),
    ...sortedNames(selection.packages),
    ...sortedNames(selection.excludedGroups).map((name) => `-@${name}`),
    ...sortedNames(selection.excludedPackages).map((name) => after('-', name, '@')),
  ];
  const { default: isDefault, ...others } = selection.options;
  // pykickstart checks each header alone but keeps --default from an earlier one: with --nocore, it can only be
  // written in a header of its own.
  const apart = isDefault === true && others.nocore === true;
  const options = writeOptions(
    PACKAGES_OPTIONS,
    (apart ? others : selection.options) as Record<string, OptionValue>,
  );
  return `${apart ? section('%packages --default', '') : ''}${section(['%packages', ...options].join(' '), lines(body))}`;
}

function section(header: string, body: string): string {
  return `${header}\n${normaliseBody(body)}%end\n`;
}

function lines(items: readonly string[]): string {
  return items.map((item) => `${item}\n`).join('');
}

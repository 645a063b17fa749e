import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Diagnostic, LoadOptions, ParseResult } from '../../kickstart/index.ts';
import { bundledTemplatesDir } from '../../kickstart/templates.ts';
import { EXIT, UserError } from '../exit-codes.ts';

interface ReadFlags {
  tokenmap?: string;
  arch?: string;
  includeRoot?: string[];
  allowUrls?: boolean;
  maxBytes?: string;
  strict?: boolean;
}

function addReadOptions(command: Command): Command {
  return command
    .option('--tokenmap <T:V,...>', "substitute @TOKEN@s first, as mic's --tokenmap does")
    .option('-a, --arch <arch>', 'the architecture @ARCH@ stands for')
    .option(
      '--include-root <dir>',
      'a folder %include may read from (repeatable; default: the file’s own)',
      collect,
    )
    .option('--allow-urls', '%include and %ksappend may fetch URLs')
    .option('--max-bytes <n>', 'the largest kickstart accepted, in bytes (default 1 MiB)')
    .option('--strict', "accept only pykickstart's syntax, not mic's and IMG's extensions");
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * The kickstart library, loaded by the commands that read kickstarts: `imger --help` and the other commands start
 * without it (a linter runs in editors and git hooks, where start-up time is most of its time).
 */
const kickstartLibrary = () => import('../../kickstart/index.ts');

async function loadOptions(flags: ReadFlags): Promise<LoadOptions> {
  const { parseTokenMap, withDefaultTokens } = await kickstartLibrary();
  const options: LoadOptions = { allowUrls: flags.allowUrls ?? false, extensions: !flags.strict };
  if (flags.includeRoot) options.includeRoots = flags.includeRoot;
  if (flags.maxBytes !== undefined) {
    const n = Number(flags.maxBytes);
    if (!Number.isInteger(n) || n <= 0)
      throw new UserError('--max-bytes expects a positive whole number', EXIT.usage);
    options.maxBytes = n;
  }
  if (flags.tokenmap !== undefined || flags.arch !== undefined) {
    const parsed = parseTokenMap(flags.tokenmap ?? '');
    if (!parsed.ok) throw new UserError(parsed.error, EXIT.usage);
    options.tokens = withDefaultTokens(parsed.tokens, flags.arch);
  }
  return options;
}

/** What `-` read, kept for `--type`, which reads the text again. */
let stdinText: Buffer | undefined;

/** `-` reads standard input, as most Unix tools do. */
async function load(file: string, options: LoadOptions): Promise<ParseResult> {
  const { loadKickstartFile, parseWithUrls } = await kickstartLibrary();
  if (file === '-') {
    stdinText ??= readFileSync(0);
    return parseWithUrls(stdinText, '<stdin>', options);
  }
  return loadKickstartFile(file, options);
}

/**
 * A valid kickstart judged by the builder's own plan (src/builder/plan.ts), as POST /jobs judges it: its refusals
 * become errors on their lines. Local includes are read as the lint read them; the plan fetches no URL.
 */
async function judged(
  file: string,
  result: ParseResult,
  flags: ReadFlags & { type?: string },
): Promise<ParseResult> {
  const { planBuild } = await import('../../builder/plan.ts');
  const { refusals } = await import('../../builder/refusals.ts');
  const text = file === '-' ? (stdinText ?? Buffer.alloc(0)) : readFileSync(file);
  const name = file === '-' ? '<stdin>' : file;
  const plan = planBuild({
    kickstart: text.toString('utf8'),
    type: flags.type ?? '',
    arch: flags.arch ?? 'x86_64',
    ...(flags.tokenmap === undefined ? {} : { tokenmap: flags.tokenmap }),
    file: name,
    includes: {
      baseDir: file === '-' ? process.cwd() : dirname(resolve(file)),
      includeRoots: flags.includeRoot ?? [file === '-' ? process.cwd() : dirname(resolve(file))],
    },
  });
  if (plan.ok) return result;
  const field = plan.errors.find((error) => 'field' in refusals[error.code]);
  if (field) throw new UserError(field.message, EXIT.usage);
  const errors: Diagnostic[] = plan.errors.map((error) => ({
    file: error.file ?? name,
    line: error.line,
    severity: 'error',
    message: error.message,
  }));
  return { ...result, ok: false, errors, diagnostics: [...result.diagnostics, ...errors] };
}

function lintJson(file: string, result: ParseResult) {
  // A diagnostic names its file only when it comes from an included one.
  const entry = (d: Diagnostic) => ({
    line: d.line,
    message: d.message,
    ...(d.file !== file && { file: d.file }),
  });
  return { file, ok: result.ok, errors: result.errors.map(entry), warnings: result.warnings.map(entry) };
}

export function registerKickstartCommands(program: Command): void {
  const ks = program.command('ks').description('read, check and write kickstart files');

  addReadOptions(
    ks
      .command('lint')
      .description(
        'check kickstart files; exit 0 when all are valid (warnings allowed), 1 when any has an error',
      )
      .argument('<file...>', 'kickstart files (- for standard input)')
      .option('--json', 'print {file, ok, errors, warnings} per file')
      .option(
        '-t, --type <type>',
        'also refuse what the native builder would for this image type (and --arch, default x86_64), as a submit does',
      ),
  ).action(async (files: string[], flags: ReadFlags & { json?: boolean; type?: string }) => {
    const options = await loadOptions(flags);
    const { formatDiagnostic } = await kickstartLibrary();
    const results = [];
    for (const file of files) {
      const name = file === '-' ? '<stdin>' : file;
      const result = await load(file, options);
      results.push({
        file: name,
        result: flags.type && result.ok ? await judged(file, result, flags) : result,
      });
    }
    if (flags.json) {
      const objects = results.map(({ file, result }) => lintJson(file, result));
      process.stdout.write(`${JSON.stringify(objects.length === 1 ? objects[0] : objects, null, 2)}\n`);
    } else {
      for (const { file, result } of results) {
        for (const d of result.diagnostics) process.stdout.write(`${formatDiagnostic(d)}\n`);
        const warnings = result.warnings.length;
        const summary = result.ok
          ? `ok${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}`
          : `${result.errors.length} error${result.errors.length === 1 ? '' : 's'}`;
        process.stdout.write(`${file}: ${summary}\n`);
      }
    }
    process.exitCode = results.every((r) => r.result.ok) ? EXIT.ok : EXIT.invalid;
  });

  addReadOptions(
    ks
      .command('format')
      .description('print the canonical text of a kickstart: includes flattened, stable order and spelling')
      .argument('<file>', 'a kickstart file (- for standard input)'),
  ).action(async (file: string, flags: ReadFlags) => {
    const result = await load(file, await loadOptions(flags));
    const { formatDiagnostic, formatKickstart } = await kickstartLibrary();
    for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    if (!result.ok) {
      process.exitCode = EXIT.invalid;
      return;
    }
    process.stdout.write(formatKickstart(result.kickstart));
  });

  ks.command('render')
    .description('turn kickstarter YAML (configurations.yaml + repos.yaml) into .ks files')
    .argument('<config>', 'configurations.yaml')
    .option('-r, --repos <file>', 'repos.yaml')
    .option('-c, --config-name <name>', 'render only this image (by Name or FileName; repeatable)', collect)
    .requiredOption('-o, --outdir <dir>', 'where the .ks files go')
    .action(async (config: string, flags: { repos?: string; configName?: string[]; outdir: string }) => {
      const { formatKickstarterError, renderKickstarter, writeKickstarterFiles } = await import(
        '../../kickstart/kickstarter/index.ts'
      );
      const result = await renderKickstarter({
        configPath: config,
        ...(flags.repos !== undefined && { reposPath: flags.repos }),
        ...(flags.configName !== undefined && { only: flags.configName }),
      });
      const written = await writeKickstarterFiles(result.files, flags.outdir);
      for (const path of written.written) process.stdout.write(`${path}\n`);
      for (const name of result.inactive) process.stdout.write(`skipped inactive image ${name}\n`);
      const errors = [...result.errors, ...written.errors];
      for (const error of errors) process.stderr.write(`${formatKickstarterError(error)}\n`);
      process.exitCode = errors.length === 0 ? EXIT.ok : EXIT.invalid;
    });

  ks.command('templates')
    .description('list ready kickstart templates and their hints')
    .argument('[dir]', 'a folder of .ks templates', bundledTemplatesDir)
    .option('--json', 'print the list as JSON')
    .action(async (dir: string, flags: { json?: boolean }) => {
      const { listTemplates } = await import('../../kickstart/templates.ts');
      const { templates, errors } = await listTemplates(dir);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ templates, errors }, null, 2)}\n`);
      } else {
        for (const t of templates) {
          const hints = [t.suggestedImageType, t.suggestedArchitecture, ...t.suggestedFeatures].filter(
            Boolean,
          );
          process.stdout.write(
            `${t.name}\t${t.displayName}${hints.length ? `\t(${hints.join(', ')})` : ''}\n`,
          );
        }
        for (const e of errors) process.stderr.write(`${e.path}: ${e.message}\n`);
      }
      process.exitCode = errors.length === 0 ? EXIT.ok : EXIT.invalid;
    });
}

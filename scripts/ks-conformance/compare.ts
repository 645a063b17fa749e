/**
 * Compares `imger ks lint --json` with pykickstart's verdicts (judge.py's JSON) on a folder of kickstarts and
 * prints the agreement. Usage:
 *
 *   node --import tsx scripts/ks-conformance/compare.ts FOLDER VERDICTS.json [--strict] [--min PERCENT] [--all]
 *
 * A case agrees when both accept it (warnings allowed) or both refuse it. A difference IMG makes on purpose
 * (README, "Where IMG differs from pykickstart on purpose") is counted apart, with its reason; `--all` lists them
 * too. The exit code is 1 when the agreement is below `--min` or when a difference is not one of those.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { deliberateDifference } from './deliberate.ts';

const REPOSITORY = resolve(import.meta.dirname, '../..');
/** Files per `imger ks lint` run: one process for hundreds of files, and the command line stays short. */
const BATCH = 400;

const Verdicts = Type.Record(
  Type.String(),
  Type.Object({
    verdict: Type.Union([Type.Literal('ok'), Type.Literal('warning'), Type.Literal('error')]),
    messages: Type.Array(Type.String()),
  }),
);
const Message = Type.Object({ line: Type.Number(), message: Type.String() });
const LintEntry = Type.Object({
  file: Type.String(),
  ok: Type.Boolean(),
  errors: Type.Array(Message),
  warnings: Type.Array(Message),
});
const LintOutput = Type.Union([LintEntry, Type.Array(LintEntry)]);
type LintEntry = Static<typeof LintEntry>;

function checked<T extends Parameters<typeof Value.Check>[0]>(
  schema: T,
  value: unknown,
  what: string,
): Static<T> {
  if (!Value.Check(schema, value)) throw new Error(`${what} is not in the expected shape`);
  return value as Static<T>;
}

function lint(files: string[], strict: boolean): Map<string, LintEntry> {
  const results = new Map<string, LintEntry>();
  for (let i = 0; i < files.length; i += BATCH) {
    const batch = files.slice(i, i + BATCH);
    const args = [
      join(REPOSITORY, 'bin/imger.js'),
      'ks',
      'lint',
      '--json',
      ...(strict ? ['--strict'] : []),
      ...batch,
    ];
    let stdout: string;
    try {
      stdout = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
    } catch (error) {
      // Exit code 1 only says that some file has an error; the JSON is still on stdout.
      const failed = error as { status?: number; stdout?: string };
      if (failed.status !== 1 || failed.stdout === undefined) throw error;
      stdout = failed.stdout;
    }
    const parsed = checked(LintOutput, JSON.parse(stdout), 'imger ks lint --json output');
    for (const entry of Array.isArray(parsed) ? parsed : [parsed]) results.set(entry.file, entry);
  }
  return results;
}

function main(): void {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { strict: { type: 'boolean' }, min: { type: 'string' }, all: { type: 'boolean' } },
  });
  const [folder, verdictsFile] = positionals;
  if (folder === undefined || verdictsFile === undefined) {
    process.stderr.write('usage: compare.ts FOLDER VERDICTS.json [--strict] [--min PERCENT] [--all]\n');
    process.exit(2);
  }
  const verdicts = checked(Verdicts, JSON.parse(readFileSync(verdictsFile, 'utf8')), verdictsFile);
  const names = readdirSync(folder)
    .filter((name) => name.endsWith('.ks'))
    .sort();
  const lints = lint(
    names.map((name) => join(folder, name)),
    values.strict ?? false,
  );

  let agree = 0;
  const deliberate: string[] = [];
  const unexplained: string[] = [];
  for (const name of names) {
    const path = join(folder, name);
    const theirs = verdicts[name];
    const ours = lints.get(path);
    if (!theirs || !ours) throw new Error(`${name}: no verdict from ${theirs ? 'imger' : 'pykickstart'}`);
    const text = readFileSync(path, 'utf8');
    const pykickstartAccepts = theirs.verdict !== 'error';
    if (pykickstartAccepts === ours.ok) {
      agree++;
      continue;
    }
    const imgSays = [...ours.errors, ...ours.warnings].map((d) => `line ${d.line}: ${d.message}`);
    const report = [
      `${name}: pykickstart ${pykickstartAccepts ? 'accepts' : 'refuses'}, IMG ${ours.ok ? 'accepts' : 'refuses'}`,
      ...text
        .trimEnd()
        .split('\n')
        .map((line) => `    | ${line}`),
      ...theirs.messages.map((m) => `    pykickstart: ${m.replace(/\s+/g, ' ')}`),
      ...imgSays.map((m) => `    IMG: ${m}`),
    ];
    const reason = deliberateDifference({
      pykickstartAccepts,
      imgAccepts: ours.ok,
      pykickstartSays: theirs.messages,
      imgErrors: ours.errors.map((d) => d.message),
    });
    if (reason) {
      deliberate.push([...report, `    on purpose: ${reason}`].join('\n'));
    } else {
      unexplained.push(report.join('\n'));
    }
  }
  const total = names.length;
  const percent = (n: number) => ((100 * n) / total).toFixed(1);
  if (values.all) for (const entry of deliberate) process.stdout.write(`${entry}\n`);
  for (const entry of unexplained) process.stdout.write(`${entry}\n`);
  process.stdout.write(
    `${values.strict ? 'imger ks lint --strict' : 'imger ks lint'}: agrees with pykickstart on ${agree} of ${total} cases (${percent(agree)} %); ` +
      `${deliberate.length} differ on purpose, ${unexplained.length} unexplained\n`,
  );
  const min = values.min === undefined ? 0 : Number(values.min);
  process.exitCode = unexplained.length > 0 || (100 * agree) / total < min ? 1 : 0;
}

main();

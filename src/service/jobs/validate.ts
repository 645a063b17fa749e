import { parseArch } from '../../builder/arches.ts';
import { parseImageType } from '../../builder/image-types.ts';
import { planBuild } from '../../builder/plan.ts';
import { type RefusalCode, refusals } from '../../builder/refusals.ts';
import { ServiceError } from '../errors.ts';
import { describeProblems, type SubmissionFields, submissionProblems } from '../fields.ts';
import { RecentResults } from './recent-results.ts';
import type { Job, KickstartProblem, SubmitInput } from './types.ts';

export type ValidJobInput = Pick<
  Job,
  | 'name'
  | 'type'
  | 'arch'
  | 'kickstart'
  | 'tokenmap'
  | 'extra_repos'
  | 'packages'
  | 'tags'
  | 'pinned'
  | 'fresh'
>;

/** Which builder the workers run: the native one refuses more than the kickstart's syntax (refusals.ts). */
export type BuilderBackend = 'native' | 'mic';

/** What the kickstart checks of a submission need: the job's other fields do not change its lint. */
export interface KickstartLintInput {
  kickstart: string;
  /** The image type; without it, the checks that depend on it are left out. */
  type?: string;
  /** Substituted for @ARCH@ when given, as the build will. */
  arch?: string;
  tokenmap?: string;
  extraRepos?: readonly string[];
  packages?: readonly string[];
  /** The name the kickstart's problems give its file. */
  file?: string;
  /** `[worker] gpg_key_dir`, the only folder `repo --gpgkey=file:` may name; '' or absent for none. */
  gpgKeyDir?: string;
  /** Default native. */
  builder?: BuilderBackend;
}

/** Shared between equal lints (see recentVerdicts), so read-only. */
export interface KickstartLint {
  readonly errors: readonly Readonly<KickstartProblem>[];
  readonly warnings: readonly Readonly<KickstartProblem>[];
}

/** What mic is judged by at submit: it reads the kickstart itself, and makes LVM, RAID and the rest. */
const MIC_CHECKS = new Set<RefusalCode>([
  'syntax',
  'tokenmap',
  'overlay',
  'unknown-type',
  'mic-only-type',
  'unknown-arch',
  'signing-key',
]);

/** What a kickstart's lint decided: its problems, or the field it names as wrong. Frozen, as it is shared. */
type LintVerdict = { lint: KickstartLint } | { badField: string };

/**
 * Verdicts of the kickstarts linted lately: the same template or script's kickstart submitted again is not parsed
 * and planned again (most of a submission's time). Only kickstarts up to KEPT_KICKSTART_CHARS are kept, so the
 * verdicts held stay small whatever is sent.
 */
const recentVerdicts = new RecentResults<LintVerdict>(256);
const KEPT_KICKSTART_CHARS = 64 * 1024;

/**
 * The builder's own plan of the job (src/builder/plan.ts), as a report rather than a refusal, so the submit
 * form can show it as the user types. A wrong field (tokenmap, overlay, type, arch) is a bad request, as it is
 * for a job; everything else is a problem on a line.
 */
export function lintKickstart(input: KickstartLintInput): KickstartLint {
  checkFields(input);
  // Every input planBuild and the filter below read, each in its place: equal keys, equal verdicts.
  const inputs = [
    input.kickstart,
    input.type ?? null,
    input.arch ?? null,
    input.tokenmap ?? '',
    input.extraRepos ?? [],
    input.packages ?? [],
    input.file ?? 'kickstart.ks',
    input.gpgKeyDir ?? '',
    input.builder ?? 'native',
  ] as const;
  const verdict =
    input.kickstart.length > KEPT_KICKSTART_CHARS
      ? judgeKickstart(...inputs)
      : recentVerdicts.get(inputs, () => judgeKickstart(...inputs));
  if ('badField' in verdict) throw new ServiceError('bad-request', verdict.badField);
  return verdict.lint;
}

function judgeKickstart(
  kickstart: string,
  type: string | null,
  arch: string | null,
  tokenmap: string,
  extraRepos: readonly string[],
  packages: readonly string[],
  file: string,
  gpgKeyDir: string,
  builder: BuilderBackend,
): LintVerdict {
  const result = planBuild({
    kickstart,
    ...(type === null ? {} : { type }),
    ...(arch === null ? {} : { arch }),
    tokenmap,
    overlay: { repos: extraRepos, packages },
    file,
    gpgKeyDir,
  });
  const problems = (list: readonly { line: number; message: string }[]) =>
    Object.freeze(list.map(({ line, message }) => Object.freeze({ line, message })));
  const warnings = problems(result.warnings);
  if (result.ok) return Object.freeze({ lint: Object.freeze({ errors: problems([]), warnings }) });
  const errors = result.errors.filter((error) => builder !== 'mic' || MIC_CHECKS.has(error.code));
  const field = errors.find((error) => 'field' in refusals[error.code]);
  if (field) return Object.freeze({ badField: field.message });
  return Object.freeze({ lint: Object.freeze({ errors: problems(errors), warnings }) });
}

/** Everything checkable before a job is stored: a job that reaches the queue can be built, or fails in the build. */
export function validateJobInput(
  input: SubmitInput,
  gpgKeyDir = '',
  builder: BuilderBackend = 'native',
): ValidJobInput {
  const type = orBadRequest(() => parseImageType(input.type));
  const arch = orBadRequest(() => parseArch(input.arch));
  const name = input.name ?? `img-${type}-${arch}`;
  checkFields({ name, email: input.email });
  const lint = lintKickstart({ ...input, type, arch, file: `${name}.ks`, gpgKeyDir, builder });
  if (lint.errors.length > 0) {
    throw new ServiceError('invalid-kickstart', `the kickstart has ${lint.errors.length} error(s)`, {
      errors: lint.errors,
    });
  }
  return {
    name,
    type,
    arch,
    kickstart: input.kickstart,
    tokenmap: input.tokenmap ?? '',
    extra_repos: input.extraRepos ?? [],
    packages: input.packages ?? [],
    tags: validTags(input.tags ?? []),
    pinned: input.pinned ?? false,
    fresh: input.fresh ?? false,
  };
}

/** Tags without control characters, normalised as the original did. */
export function validTags(tags: readonly string[]): string[] {
  checkFields({ tags });
  return normaliseTags(tags);
}

/** As the original did: spaces inside a tag become `_`, empty tags vanish, duplicates collapse. */
function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim().replace(/\s+/g, '_')).filter((tag) => tag !== ''))];
}

/** A field that breaks its rule (src/service/fields.ts) refuses the request, naming every such field. */
function checkFields(fields: SubmissionFields): void {
  const problems = submissionProblems(fields);
  if (problems.length > 0)
    throw new ServiceError('bad-request', describeProblems(problems), { fields: problems });
}

function orBadRequest<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new ServiceError('bad-request', (error as Error).message);
  }
}

import { parseArch } from '../../builder/arches.ts';
import { parseImageType } from '../../builder/image-types.ts';
import { gpgKeyProblem } from '../../builder/signing-keys.ts';
import {
  applyOverlay,
  commandsOf,
  type Diagnostic,
  parseKickstart,
  parseTokenMap,
  withDefaultTokens,
} from '../../kickstart/index.ts';
import { ServiceError } from '../errors.ts';
import { describeProblems, type SubmissionFields, submissionProblems } from '../fields.ts';
import type { Job, KickstartProblem, SubmitInput } from './types.ts';

export type ValidJobInput = Pick<
  Job,
  'name' | 'type' | 'arch' | 'kickstart' | 'tokenmap' | 'extraRepos' | 'packages' | 'tags' | 'pinned'
>;

/** What the kickstart checks of a submission need: the job's other fields do not change its lint. */
export interface KickstartLintInput {
  kickstart: string;
  /** Substituted for @ARCH@ when given, as the build will. */
  arch?: string;
  tokenmap?: string;
  extraRepos?: readonly string[];
  packages?: readonly string[];
  /** The name the kickstart's problems give its file. */
  file?: string;
  /** `[worker] gpg_key_dir`, the only folder `repo --gpgkey=file:` may name; '' or absent for none. */
  gpgKeyDir?: string;
}

export interface KickstartLint {
  errors: KickstartProblem[];
  warnings: KickstartProblem[];
}

/**
 * The kickstart checks of a submission, as a report rather than a refusal, so the submit form can show them as
 * the user types. A malformed tokenmap, arch or overlay is a bad request, as it is for a job.
 */
export function lintKickstart(input: KickstartLintInput): KickstartLint {
  const { arch: archName } = input;
  checkFields(input);
  const arch = archName === undefined ? undefined : orBadRequest(() => parseArch(archName));
  const tokens = parseTokenMap(input.tokenmap ?? '');
  if (!tokens.ok) throw new ServiceError('bad-request', `tokenmap: ${tokens.error}`);
  const overlaid = applyOverlay(input.kickstart, {
    repos: input.extraRepos ?? [],
    packages: input.packages ?? [],
  });
  if (!overlaid.ok) throw new ServiceError('bad-request', overlaid.error);
  const parsed = parseKickstart(overlaid.text, {
    file: input.file ?? 'kickstart.ks',
    tokens: withDefaultTokens(tokens.tokens, arch),
    // A submitted kickstart must be whole: includes would read the server's own files.
    readInclude: ({ directive }) => ({
      ok: false,
      error: `${directive} is not allowed in a submitted kickstart; flatten it first (imger ks format)`,
    }),
  });
  const problems = (diagnostics: readonly Diagnostic[]) =>
    diagnostics.map(({ line, message }) => ({ line, message }));
  const keyErrors = parsed.ok ? signingKeyProblems(parsed.kickstart, input.gpgKeyDir ?? '') : [];
  return { errors: [...problems(parsed.errors), ...keyErrors], warnings: problems(parsed.warnings) };
}

/** Repository keys the build would refuse: a path on the server outside the admin's key folder, say. */
function signingKeyProblems(
  kickstart: Parameters<typeof commandsOf>[0],
  gpgKeyDir: string,
): KickstartProblem[] {
  return commandsOf(kickstart, 'repo').flatMap((repo) => {
    const problem =
      repo.options.gpgkey === undefined ? undefined : gpgKeyProblem(repo.options.gpgkey, gpgKeyDir);
    return problem
      ? [{ line: repo.location.line, message: `repo ${repo.options.name ?? ''}: ${problem}` }]
      : [];
  });
}

/** Everything checkable before a job is stored: a job that reaches the queue can be built, or fails in the build. */
export function validateJobInput(input: SubmitInput, gpgKeyDir = ''): ValidJobInput {
  const type = orBadRequest(() => parseImageType(input.type));
  const arch = orBadRequest(() => parseArch(input.arch));
  const name = input.name ?? `img-${type}-${arch}`;
  checkFields({ name, email: input.email });
  const lint = lintKickstart({ ...input, arch, file: `${name}.ks`, gpgKeyDir });
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
    extraRepos: input.extraRepos ?? [],
    packages: input.packages ?? [],
    tags: validTags(input.tags ?? []),
    pinned: input.pinned ?? false,
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

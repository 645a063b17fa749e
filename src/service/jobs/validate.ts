import { parseArch } from '../../builder/arches.ts';
import { parseImageType } from '../../builder/image-types.ts';
import { applyOverlay, parseKickstart, parseTokenMap, withDefaultTokens } from '../../kickstart/index.ts';
import { ServiceError } from '../errors.ts';
import type { Job, KickstartProblem, SubmitInput } from './types.ts';

export type ValidJobInput = Pick<
  Job,
  'name' | 'type' | 'arch' | 'kickstart' | 'tokenmap' | 'extraRepos' | 'packages' | 'tags' | 'pinned'
>;

/** The name becomes a folder's file names (`<name>.log`), so it is kept to characters safe in a path. */
const safeName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Everything checkable before a job is stored: a job that reaches the queue can be built, or fails in the build. */
export function validateJobInput(input: SubmitInput): ValidJobInput {
  const type = orBadRequest(() => parseImageType(input.type));
  const arch = orBadRequest(() => parseArch(input.arch));
  const name = input.name ?? `img-${type}-${arch}`;
  if (!safeName.test(name)) {
    throw new ServiceError(
      'bad-request',
      `name "${name}" must be 1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit`,
    );
  }
  const tokens = parseTokenMap(input.tokenmap ?? '');
  if (!tokens.ok) throw new ServiceError('bad-request', `tokenmap: ${tokens.error}`);

  const overlaid = applyOverlay(input.kickstart, {
    repos: input.extraRepos ?? [],
    packages: input.packages ?? [],
  });
  if (!overlaid.ok) throw new ServiceError('bad-request', overlaid.error);
  const parsed = parseKickstart(overlaid.text, {
    file: `${name}.ks`,
    tokens: withDefaultTokens(tokens.tokens, arch),
    // A submitted kickstart must be whole: includes would read the server's own files.
    readInclude: ({ directive }) => ({
      ok: false,
      error: `${directive} is not allowed in a submitted kickstart; flatten it first (imger ks format)`,
    }),
  });
  if (!parsed.ok) {
    const errors: KickstartProblem[] = parsed.errors.map(({ line, message }) => ({ line, message }));
    throw new ServiceError('invalid-kickstart', `the kickstart has ${errors.length} error(s)`, { errors });
  }
  return {
    name,
    type,
    arch,
    kickstart: input.kickstart,
    tokenmap: input.tokenmap ?? '',
    extraRepos: input.extraRepos ?? [],
    packages: input.packages ?? [],
    tags: normaliseTags(input.tags ?? []),
    pinned: input.pinned ?? false,
  };
}

/** As the original did: spaces inside a tag become `_`, empty tags vanish, duplicates collapse. */
export function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim().replace(/\s+/g, '_')).filter((tag) => tag !== ''))];
}

function orBadRequest<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new ServiceError('bad-request', (error as Error).message);
  }
}

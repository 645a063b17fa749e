// The "resolve" input side: a kickstart, as pykickstart reads it, turned into the ImageRecipe the engine
// builds. The judgement is the plan's (plan.ts), the same one the service makes at submit; what is left here
// is what only the network can tell: the kind of a repository whose lines do not say.
import type { ParseOptions } from '../kickstart/index.ts';
import { BuildFailure } from './failures.ts';
import type { PackFormat } from './image-types.ts';
import { type BuildPlan, type PlanInput, planBuild } from './plan.ts';
import type { ImageRecipe } from './recipe.ts';
import type { PlanError } from './refusals.ts';
import { detectRepoKind } from './repo-kind.ts';

/** What the plan reads (PlanInput), with what a build adds: where the image goes and what it is called. */
export interface KickstartInput extends Pick<PlanInput, 'kickstart' | 'tokenmap' | 'overlay' | 'gpgKeyDir'> {
  type: string;
  arch: string;
  name: string;
  outputDir: string;
  packTo?: PackFormat;
  /** Where %include may read from, and the file's name; by default a submitted kickstart includes nothing. */
  includes?: Pick<ParseOptions, 'file' | 'baseDir' | 'includeRoots'>;
}

export interface ResolvedKickstart extends Pick<BuildPlan, 'asBuilt' | 'notes'> {
  recipe: ImageRecipe;
}

function kickstartError(message: string): BuildFailure {
  return new BuildFailure('kickstart-error', 'resolve', message);
}

/** The plan's first refusal (and how many more) as the build's failure. */
function refused(errors: readonly PlanError[]): BuildFailure {
  const [first, ...rest] = errors;
  const more = rest.length > 0 ? ` (and ${rest.length} more error${rest.length === 1 ? '' : 's'})` : '';
  const { file, line, message } = first!;
  const where = [...(file ? [file] : []), ...(line > 0 ? [`line ${line}`] : [])].join(': ');
  return kickstartError(`${where ? `${where}: ` : ''}${message}${more}`);
}

/** Plans the build as the service did at submit, asks the repositories whose kind is unknown, plans again. */
export async function resolveKickstart(
  input: KickstartInput,
  signal: AbortSignal,
): Promise<ResolvedKickstart> {
  const { includes } = input;
  const planInput: PlanInput = {
    kickstart: input.kickstart,
    type: input.type,
    arch: input.arch,
    ...(input.tokenmap === undefined ? {} : { tokenmap: input.tokenmap }),
    ...(input.overlay ? { overlay: input.overlay } : {}),
    file: includes?.file ?? `${input.name}.ks`,
    ...(includes ? { includes } : {}),
    gpgKeyDir: input.gpgKeyDir ?? '',
  };
  let result = planBuild(planInput);
  if (!result.ok) throw refused(result.errors);
  if (result.plan.undetected.length > 0) {
    const repoKinds = await detectKinds(result.plan, signal);
    result = planBuild({ ...planInput, repoKinds });
    if (!result.ok) throw refused(result.errors);
  }
  const { plan } = result;
  const recipe: ImageRecipe = { ...plan.recipe, name: input.name, outputDir: input.outputDir };
  if (input.packTo) recipe.packTo = input.packTo;
  return { recipe, asBuilt: plan.asBuilt, notes: plan.notes };
}

async function detectKinds(plan: BuildPlan, signal: AbortSignal): Promise<Map<number, 'apt' | 'rpm'>> {
  const kinds = new Map<number, 'apt' | 'rpm'>();
  for (const source of plan.undetected) {
    const kind = await detectRepoKind(source.url, undefined, signal);
    if (kind === undefined) {
      throw kickstartError(
        `line ${source.line}: repo ${source.name}: ${source.url} serves no repodata/repomd.xml; for an apt archive give --suite=`,
      );
    }
    kinds.set(source.line, kind);
  }
  return kinds;
}

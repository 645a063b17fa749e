// The one interface every caller builds images through (the CLI, the service's worker, the tests), and
// the native implementation: the step pipeline in a temporary work folder, artifacts staged beside the
// output and published only when the build succeeds.
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCacheDir } from './cache.ts';
import type { BuildEvent, BuildEventListener } from './events.ts';
import { BuildFailure, type FailureDetails, type FailureKind } from './failures.ts';
import { type Artifact, type BuildState, stepsFor } from './pipeline.ts';
import type { ImageRecipe } from './recipe.ts';
import { runSteps } from './runner.ts';
import type { StepName } from './steps.ts';
import { checkFreeSpace, removeTree } from './workspace.ts';

export interface BuildRequest {
  /** The image, fully resolved from the kickstart: type, arch, name, output folder and tokens included. */
  recipe: ImageRecipe;
  /** The kickstart as built (tokens applied), kept beside the image as NAME.ks. */
  kickstart?: string;
  signal?: AbortSignal;
  onEvent?: BuildEventListener;
}

export interface PublishedArtifact extends Artifact {
  path: string;
}

export interface FailureReport {
  kind: FailureKind;
  step: StepName;
  message: string;
  details: FailureDetails;
}

export type BuildOutcome =
  | { ok: true; artifacts: PublishedArtifact[]; ms: number }
  | { ok: false; failure: FailureReport; ms: number; log?: string };

export interface Builder {
  build(request: BuildRequest): Promise<BuildOutcome>;
}

export interface NativeBuilderOptions {
  cacheDir?: string;
  /** Parent of the per-build work folders (the image root lives there: about 1 GiB each). */
  workRoot?: string;
  deadlineMs?: number;
  /** Free space required before a build starts, in the work folder and in the output folder. */
  minFreeWorkBytes?: number;
  minFreeOutputBytes?: number;
}

const GiB = 2 ** 30;
const safeName = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

function report(failure: BuildFailure): FailureReport {
  return { kind: failure.kind, step: failure.step, message: failure.message, details: failure.details };
}

export function createNativeBuilder(options: NativeBuilderOptions = {}): Builder {
  const cacheDir = options.cacheDir ?? defaultCacheDir;
  const workRoot = options.workRoot ?? tmpdir();
  return {
    async build(request) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      const { recipe } = request;
      if (!safeName.test(recipe.name)) {
        const failure = new BuildFailure(
          'kickstart-error',
          'resolve',
          `image name ${JSON.stringify(recipe.name)} is not a safe file name`,
        );
        return { ok: false, failure: report(failure), ms: elapsed() };
      }
      await mkdir(recipe.outputDir, { recursive: true });
      await mkdir(cacheDir, { recursive: true });
      await mkdir(workRoot, { recursive: true });
      try {
        await checkFreeSpace([
          { path: workRoot, bytes: options.minFreeWorkBytes ?? 4 * GiB, what: 'work folder' },
          { path: recipe.outputDir, bytes: options.minFreeOutputBytes ?? 2 * GiB, what: 'images' },
        ]);
      } catch (error) {
        if (error instanceof BuildFailure) return { ok: false, failure: report(error), ms: elapsed() };
        throw error;
      }
      const workDir = await mkdtemp(join(workRoot, 'imger-'));
      const stageDir = await mkdtemp(join(recipe.outputDir, `.imger-${recipe.name}-`));
      const logName = `${recipe.name}.log`;
      const log = createWriteStream(join(stageDir, logName));
      const onEvent = (event: BuildEvent): void => {
        log.write(`${new Date().toISOString()} ${formatEvent(event)}\n`);
        request.onEvent?.(event);
      };
      const state: BuildState = {
        recipe,
        cacheDir,
        workDir,
        stageDir,
        root: join(workDir, 'root'),
        artifacts: [],
        images: {},
      };
      if (request.kickstart !== undefined) {
        await writeFile(join(stageDir, `${recipe.name}.ks`), request.kickstart);
        state.artifacts.push({ file: `${recipe.name}.ks`, main: false });
      }
      try {
        await runSteps(stepsFor(recipe), state, {
          deadlineMs: options.deadlineMs ?? 60 * 60_000,
          onEvent,
          ...(request.signal ? { signal: request.signal } : {}),
        });
        onEvent({ type: 'log', line: `build succeeded in ${(elapsed() / 1000).toFixed(1)} s` });
        await closeStream(log);
        const published = [...state.artifacts, { file: logName, main: false }];
        for (const artifact of published)
          await rename(join(stageDir, artifact.file), join(recipe.outputDir, artifact.file));
        return {
          ok: true,
          artifacts: published.map((a) => ({ ...a, path: join(recipe.outputDir, a.file) })),
          ms: elapsed(),
        };
      } catch (error) {
        const failure =
          error instanceof BuildFailure ? error : new BuildFailure('internal', 'resolve', String(error));
        onEvent({
          type: 'log',
          line: `build failed: ${failure.kind} in ${failure.step}: ${failure.message}`,
        });
        await closeStream(log);
        // The log explains the failure, so it stays; every half-made image goes with the stage folder.
        const logPath = join(recipe.outputDir, logName);
        await rename(join(stageDir, logName), logPath).catch(() => {});
        return { ok: false, failure: report(failure), ms: elapsed(), log: logPath };
      } finally {
        await closeStream(log);
        await rm(stageDir, { recursive: true, force: true });
        await removeTree(workDir);
      }
    },
  };
}

function closeStream(stream: NodeJS.WritableStream & { closed?: boolean }): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve) => stream.end(resolve));
}

export function formatEvent(event: BuildEvent): string {
  switch (event.type) {
    case 'log':
      return event.step ? `[${event.step}] ${event.line}` : event.line;
    case 'progress': {
      const packages = event.packages ? ` packages ${event.packages.done}/${event.packages.total}` : '';
      return `== ${event.index}/${event.total} ${event.step}${packages}`;
    }
    case 'step-finished':
      return `== ${event.step} done in ${(event.ms / 1000).toFixed(1)} s`;
  }
}

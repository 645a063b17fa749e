// The native step engine: a resolved recipe built by the step pipeline in a temporary work folder, artifacts
// staged beside the output and published only when the build succeeds.
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { buildRecordsDir } from './build-records.ts';
import { defaultCacheDir } from './cache.ts';
import type { BuildEventListener } from './events.ts';
import { BuildFailure } from './failures.ts';
import { kickstartFileName, safeFileName } from './paths.ts';
import { type BuildState, stepsFor } from './pipeline.ts';
import { type BuildOutcome, buildAndPublish, failureReport } from './publish.ts';
import type { ImageRecipe } from './recipe.ts';
import { runSteps } from './runner.ts';
import { defaultIdBase } from './sandbox.ts';
import { estimateSpace } from './space-needs.ts';
import { checkFreeSpace, defaultWorkRoot, makeBuildFolders, prepareSandboxPlaces } from './workspace.ts';

/** S_ISGID, which node:fs does not name. */
const SET_GROUP_ID = 0o2000;

export interface BuildRequest {
  /** The image, fully resolved from the kickstart: type, arch, name, output folder and tokens included. */
  recipe: ImageRecipe;
  /** The kickstart as built (tokens applied), kept beside the image as NAME.ks. */
  kickstart?: string;
  /** Lines logged first, before any step: what resolving the kickstart decided. */
  notes?: readonly string[];
  /** See PublishOptions.writeLog; default true. */
  writeLog?: boolean;
  signal?: AbortSignal;
  onEvent?: BuildEventListener;
}

/** The step engine: builds a resolved recipe. The kickstart-level interface callers use is ImageBuilder. */
export interface Builder {
  build(request: BuildRequest): Promise<BuildOutcome>;
}

export interface NativeBuilderOptions {
  cacheDir?: string;
  /** Parent of the per-build work folders (the image root lives there: about 1 GiB each); see defaultWorkRoot. */
  workRoot?: string;
  deadlineMs?: number;
  /**
   * Host uid and gid of the root of the sandboxes' user namespace, the first of 65536 ([worker]
   * sandbox_id_base); see sandbox.ts. The work root must be traversable by it.
   */
  sandboxIdBase?: number;
  /** The admin's folder of signing keys a kickstart may name by path ([worker] gpg_key_dir); '' for none. */
  gpgKeyDir?: string;
  /**
   * Told of each base root this build made and stored in the cache (its path, and that path inside the cache
   * folder), at the end of the bootstrap step, before the steps after it run; awaited. A build VM hands the
   * root to the host here (src/service/worker/vm/cache-write-back.ts).
   */
  onBaseRootStored?: (stored: { path: string; inCache: string }) => Promise<void>;
}

export function createNativeBuilder(options: NativeBuilderOptions = {}): Builder {
  const cacheDir = options.cacheDir ?? defaultCacheDir;
  const { onBaseRootStored } = options;
  return {
    async build(request) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      const { recipe } = request;
      if (!safeFileName.test(recipe.name)) {
        const failure = new BuildFailure(
          'kickstart-error',
          'resolve',
          `image name ${JSON.stringify(recipe.name)} is not a safe file name`,
        );
        return { ok: false, failure: failureReport(failure), ms: elapsed() };
      }
      const space = estimateSpace(recipe);
      const workRoot = options.workRoot ?? (await defaultWorkRoot(space.workBytes));
      await mkdir(recipe.outputDir, { recursive: true });
      await mkdir(cacheDir, { recursive: true });
      await mkdir(workRoot, { recursive: true });
      try {
        await checkFreeSpace([
          { path: workRoot, bytes: space.workBytes, what: `work folder of a ${recipe.type} image` },
          { path: recipe.outputDir, bytes: space.outputBytes, what: `${recipe.type} image` },
        ]);
      } catch (error) {
        if (error instanceof BuildFailure) return { ok: false, failure: failureReport(error), ms: elapsed() };
        throw error;
      }
      const folders = await makeBuildFolders({
        recordsDir: buildRecordsDir(cacheDir),
        workRoot,
        outputDir: recipe.outputDir,
        name: recipe.name,
      });
      const { workDir, stageDir } = folders;
      // Traversable, so a %pack script can be shown the images (read-only); not listable. The setgid bit it
      // inherited stays: a base_dir shared with the web node gives the images its group.
      await chmod(stageDir, 0o711 | ((await stat(stageDir)).mode & SET_GROUP_ID));
      const publish = {
        stageDir,
        outputDir: recipe.outputDir,
        name: recipe.name,
        writeLog: request.writeLog ?? true,
        started,
        ...(request.onEvent ? { onEvent: request.onEvent } : {}),
      };
      try {
        return await buildAndPublish(publish, async (emit) => {
          for (const note of request.notes ?? []) emit({ type: 'log', step: 'resolve', line: note });
          emit({ type: 'log', step: 'resolve', line: `work folder ${workDir}` });
          const state: BuildState = {
            recipe,
            cacheDir,
            ...(onBaseRootStored
              ? {
                  onBaseRootStored: (path: string) =>
                    onBaseRootStored({ path, inCache: relative(cacheDir, path) }),
                }
              : {}),
            workDir,
            places: await prepareSandboxPlaces(workDir, options.sandboxIdBase ?? defaultIdBase),
            gpgKeyDir: options.gpgKeyDir ?? '',
            stageDir,
            artifacts: [],
            images: {},
          };
          if (request.kickstart !== undefined) {
            await writeFile(join(stageDir, kickstartFileName(recipe.name)), request.kickstart);
            state.artifacts.push({ file: kickstartFileName(recipe.name), main: false });
          }
          await runSteps(stepsFor(recipe), state, {
            deadlineMs: options.deadlineMs ?? 60 * 60_000,
            onEvent: emit,
            ...(request.signal ? { signal: request.signal } : {}),
          });
          return state.artifacts;
        });
      } finally {
        await folders.remove();
      }
    },
  };
}

// The mic backend behind the ImageBuilder interface: the request is checked, mic runs in a stage folder inside
// the output folder, and its files are published only when the whole build succeeded, so a failed or
// cancelled build leaves nothing but its log.
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRecordsDir } from '../build-records.ts';
import { defaultCacheDir } from '../cache.ts';
import { BuildFailure } from '../failures.ts';
import type { ImageBuilder } from '../image-builder.ts';
import { type BuildOutcome, buildAndPublish, failureReport } from '../publish.ts';
import { runSteps } from '../runner.ts';
import { makeBuildFolders } from '../workspace.ts';
import { micArguments } from './command-line.ts';
import { type MicInstall, resolveMic } from './find-mic.ts';
import { type MicBuildRequest, planMicBuild } from './mic-request.ts';
import { type MicBuildState, micSteps } from './mic-steps.ts';

export interface MicBuilderOptions {
  /** The mic (or mic2 mic-image-creator) to run; by default the first found on PATH. */
  micPath?: string;
  /** img.conf's mic_opts, already split (splitMicOpts). */
  extraOptions?: readonly string[];
  timeoutMs?: number;
  /** Parent of the per-build folders holding the kickstart mic reads. */
  workRoot?: string;
}

export interface MicImageBuilder extends ImageBuilder {
  build(request: MicBuildRequest): Promise<BuildOutcome>;
}

function micMissing(micPath: string | undefined): BuildFailure {
  const what = micPath ? `${micPath} cannot be run` : 'neither mic nor mic-image-creator is on PATH';
  return new BuildFailure(
    'internal',
    'resolve',
    `mic is not installed (${what}), but img.conf says builder = mic; install mic, or set builder = native`,
  );
}

/** mic2 has no --tokenmap, so the kickstart it reads carries the tokens already applied. */
function kickstartForMic(mic: MicInstall, request: MicBuildRequest, asBuilt: string): string {
  return mic.flavour === 'mic2' ? asBuilt : request.kickstart;
}

export function createMicBuilder(options: MicBuilderOptions = {}): MicImageBuilder {
  const workRoot = options.workRoot ?? tmpdir();
  const timeoutMs = options.timeoutMs ?? 60 * 60_000;
  return {
    backend: 'mic',
    async build(request) {
      const started = performance.now();
      const failed = (failure: BuildFailure): BuildOutcome => ({
        ok: false,
        failure: failureReport(failure),
        ms: Math.round(performance.now() - started),
      });
      let plan: ReturnType<typeof planMicBuild>;
      try {
        plan = planMicBuild(request);
      } catch (error) {
        if (error instanceof BuildFailure) return failed(error);
        throw error;
      }
      const mic = await resolveMic(options.micPath);
      if (!mic) return failed(micMissing(options.micPath));

      await mkdir(request.outputDir, { recursive: true });
      await mkdir(workRoot, { recursive: true });
      const folders = await makeBuildFolders({
        recordsDir: buildRecordsDir(defaultCacheDir),
        workRoot,
        outputDir: request.outputDir,
        name: plan.name,
        workPrefix: 'imger-mic-',
      });
      const { workDir, stageDir } = folders;
      const readyDir = join(stageDir, 'ready');
      const micOutdir = join(stageDir, 'mic');
      await mkdir(readyDir);
      const publish = {
        stageDir: readyDir,
        outputDir: request.outputDir,
        name: plan.name,
        writeLog: request.writeLog ?? true,
        started,
        ...(request.onEvent ? { onEvent: request.onEvent } : {}),
      };
      try {
        return await buildAndPublish(publish, async (emit) => {
          // mic names the image after the kickstart's file name.
          const kickstartPath = join(workDir, `${plan.name}.ks`);
          await writeFile(kickstartPath, kickstartForMic(mic, request, plan.asBuilt));
          await writeFile(join(readyDir, `${plan.name}.ks`), plan.asBuilt);
          const args = micArguments({
            flavour: mic.flavour,
            type: plan.type,
            kickstartPath,
            arch: plan.arch,
            outdir: micOutdir,
            extraOptions: options.extraOptions ?? [],
            ...(plan.tokenmap ? { tokenmap: plan.tokenmap } : {}),
            ...(plan.release !== undefined ? { release: plan.release } : {}),
            ...(plan.packTo ? { packTo: plan.packTo } : {}),
          });
          emit({ type: 'log', line: `running ${mic.path} ${args.join(' ')}` });
          const state: MicBuildState = {
            mic,
            args,
            type: plan.type,
            name: plan.name,
            workDir,
            micOutdir,
            readyDir,
            artifacts: [],
            ...(plan.rootLabel ? { rootLabel: plan.rootLabel } : {}),
          };
          await runSteps(micSteps(timeoutMs), state, {
            deadlineMs: timeoutMs,
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

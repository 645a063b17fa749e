// A mic build as the step runner sees it: mic does everything from the repositories to the image in one run,
// then IMG gathers mic's files into one flat folder, packs an fs root left as a folder, and checksums.
import { access, rename } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { BuildFailure } from '../failures.ts';
import { packRoot } from '../pack-root.ts';
import type { Artifact } from '../publish.ts';
import { writeChecksums } from '../records.ts';
import type { Step } from '../runner.ts';
import type { MicInstall } from './find-mic.ts';
import { classifyMicExit } from './mic-failures.ts';
import { findMicOutput } from './mic-output.ts';

export interface MicBuildState {
  mic: MicInstall;
  args: string[];
  type: string;
  name: string;
  rootLabel?: string;
  /** mic's working folder, holding the kickstart it reads. */
  workDir: string;
  /** mic's --outdir. */
  micOutdir: string;
  /** The artifacts, flat, as they will be published; NAME.ks and NAME.log are already there. */
  readyDir: string;
  artifacts: Artifact[];
}

const minutes = 60_000;

function runMic(timeoutMs: number): Step<MicBuildState> {
  return {
    // mic spends its run installing packages, and that is where its failures come from.
    name: 'packages',
    timeoutMs,
    async run(ctx, state) {
      try {
        // gettext reads LANGUAGE first: English messages for the patterns, without touching the encoding.
        await ctx.run(state.mic.path, state.args, {
          cwd: state.workDir,
          env: { ...process.env, LANGUAGE: 'C' },
        });
      } catch (error) {
        throw classifyMicExit(error, ctx.step);
      }
    },
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

const gather: Step<MicBuildState> = {
  name: 'filesystem',
  timeoutMs: 30 * minutes,
  async run(ctx, state) {
    const output = await findMicOutput({
      outdir: state.micOutdir,
      type: state.type,
      name: state.name,
      args: state.args,
      ...(state.rootLabel ? { rootLabel: state.rootLabel } : {}),
    });
    for (const folder of output.unknownFolders) ctx.log(`mic left a folder ${folder}/; not published`);
    const publish = async (path: string, main: boolean): Promise<void> => {
      const file = basename(path);
      if (await exists(join(state.readyDir, file))) {
        throw new BuildFailure(
          'internal',
          ctx.step,
          `mic wrote two files named ${file}; cannot publish both`,
        );
      }
      await rename(join(output.imageDir, path), join(state.readyDir, file));
      state.artifacts.push({ file, main });
    };
    if (output.main.kind === 'root-folder') {
      const tarball = `${output.imageName}.tar.zst`;
      ctx.log(`packing mic's root folder ${output.main.path}/ into ${tarball}`);
      await packRoot(ctx, join(output.imageDir, output.main.path), join(state.readyDir, tarball), 'tar.zst');
      state.artifacts.push({ file: tarball, main: true });
    } else {
      await publish(output.main.path, true);
    }
    for (const path of output.others) await publish(path, false);
  },
};

const checksum: Step<MicBuildState> = {
  name: 'checksum',
  timeoutMs: 30 * minutes,
  async run(ctx, state) {
    state.artifacts.push({ file: `${state.name}.ks`, main: false });
    await writeChecksums(
      ctx,
      state.readyDir,
      state.artifacts.map((a) => a.file),
    );
    state.artifacts.push({ file: 'SHA256SUMS', main: false });
  },
};

export function micSteps(timeoutMs: number): Step<MicBuildState>[] {
  return [runMic(timeoutMs), gather, checksum];
}

// Runs the kickstart's %pre, %post and %pack scripts: user code, so always inside the sandbox. A failing
// script fails the build only with --erroronfail; the log names it and its exit code either way.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CommandFailed } from './exec.ts';
import { BuildFailure } from './failures.ts';
import type { ImageRecipe, Script, ScriptKind } from './recipe.ts';
import type { StepContext } from './runner.ts';
import { inRootArgs, onHostArgs } from './sandbox.ts';

export interface ScriptPlaces {
  workDir: string;
  /** The image root; absent for %pre, which runs before it exists. */
  root?: string;
  outputDir: string;
}

const scriptInSandbox = '/tmp/imger-script';

function label(kind: ScriptKind, script: Script, position: number): string {
  const options = [script.nochroot ? ' --nochroot' : '', script.erroronfail ? ' --erroronfail' : ''].join('');
  return `%${kind} #${position}${options}`;
}

export async function runScripts(
  ctx: StepContext,
  kind: ScriptKind,
  recipe: ImageRecipe,
  places: ScriptPlaces,
): Promise<void> {
  const scripts = recipe.scripts.filter((s) => s.kind === kind);
  for (const [index, script] of scripts.entries()) {
    const name = label(kind, script, index + 1);
    const file = join(places.workDir, `script-${kind}-${index + 1}`);
    await writeFile(file, script.body, { mode: 0o755 });
    const onHost = kind !== 'post' || script.nochroot || !places.root;
    const env: Record<string, string> = {
      ...recipe.tokens,
      IMG_NAME: recipe.name,
      HOME: '/root',
      LANG: 'C.UTF-8',
    };
    if (onHost && places.root) {
      env.INSTALL_ROOT = places.root;
      env.IMG_OUT_DIR = places.outputDir;
    }
    const sandbox = { network: recipe.scriptNetwork, env, hostname: recipe.hostname };
    const command = [script.interpreter, scriptInSandbox];
    const bind = ['--ro-bind', file, scriptInSandbox];
    const args = onHost
      ? onHostArgs(places.root ? [places.root, places.outputDir] : [], command, sandbox, bind)
      : inRootArgs(places.root!, command, sandbox, bind);
    ctx.log(
      `${name}: running under ${script.interpreter}${onHost ? ' on the build host' : ' in the image root'}`,
    );
    try {
      await ctx.run('bwrap', args, { onLine: (line) => ctx.log(`${name}: ${line}`) });
      ctx.log(`${name}: exited with 0`);
    } catch (error) {
      if (!(error instanceof CommandFailed) || error.reason !== 'exit') throw error;
      ctx.log(`${name}: exited with ${error.code}`);
      if (script.erroronfail) {
        throw new BuildFailure('script-failed', ctx.step, `${name} exited with ${error.code}`, {
          script: name,
          ...(error.code === null ? {} : { exitCode: error.code }),
        });
      }
    } finally {
      await rm(file, { force: true });
    }
  }
}

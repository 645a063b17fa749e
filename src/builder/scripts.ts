// Runs the kickstart's %pre, %post and %pack scripts: user code, so always inside the sandbox (sandbox.ts).
// A failing script fails the build only with --erroronfail; the log names it and its exit code either way.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CommandFailed } from './command-failed.ts';
import { BuildFailure, firstErrorLine } from './failures.ts';
import type { ImageRecipe, Script, ScriptKind } from './recipe.ts';
import type { StepContext } from './runner.ts';
import { capabilities, inImage, onHost, type SandboxPlaces } from './sandbox.ts';

export interface ScriptPlaces {
  sandbox: SandboxPlaces;
  /** Whether the image root exists yet: %pre runs before it does. */
  rootReady: boolean;
  /**
   * Files the build made already, shown read-only in IMG_OUT_DIR as mic showed its output folder (a %pack
   * that post-processes the image). bubblewrap leaves an empty file of each name there, which the caller
   * removes before it takes the scripts' files.
   */
  artifacts?: { dir: string; names: readonly string[] };
}

const scriptInSandbox = '/tmp/imger-script';

function label(kind: ScriptKind, script: Script, position: number): string {
  const options = [script.nochroot ? ' --nochroot' : '', script.erroronfail ? ' --erroronfail' : ''].join('');
  return `%${kind} #${position}${options}`;
}

/**
 * Runs the recipe's scripts of one kind. %post runs with the image root as /; --nochroot, %pack and %pre
 * run on the host's programs with the image root at INSTALL_ROOT and IMG_OUT_DIR, a folder of the work
 * folder whose regular files the caller takes into the result (out-folder.ts).
 */
export async function runScripts(
  ctx: StepContext,
  kind: ScriptKind,
  recipe: ImageRecipe,
  places: ScriptPlaces,
): Promise<void> {
  const { sandbox } = places;
  const scripts = recipe.scripts.filter((s) => s.kind === kind);
  for (const [index, script] of scripts.entries()) {
    const name = label(kind, script, index + 1);
    const file = join(sandbox.inputs, `script-${kind}-${index + 1}`);
    await writeFile(file, script.body, { mode: 0o644 });
    const onHostView = kind !== 'post' || script.nochroot || !places.rootReady;
    const env: Record<string, string> = {
      ...recipe.tokens,
      IMG_NAME: recipe.name,
      HOME: '/root',
      LANG: 'C.UTF-8',
    };
    if (onHostView && places.rootReady) {
      env.INSTALL_ROOT = sandbox.root;
      env.IMG_OUT_DIR = sandbox.out;
    }
    const options = {
      caps: capabilities.imageAdmin,
      network: recipe.scriptNetwork,
      env,
      hostname: recipe.hostname,
      files: [{ from: file, to: scriptInSandbox }],
      onLine: (line: string) => ctx.log(`${name}: ${line}`),
    };
    const command = [script.interpreter, scriptInSandbox];
    ctx.log(
      `${name}: running under ${script.interpreter}${onHostView ? ' on the build host' : ' in the image root'}`,
    );
    try {
      if (onHostView) {
        await onHost(ctx, sandbox, command, {
          ...options,
          binds: places.rootReady
            ? [
                { path: sandbox.root, writable: true },
                { path: sandbox.out, writable: true },
              ]
            : [],
          files: [
            ...options.files,
            ...(places.artifacts?.names ?? []).map((name) => ({
              from: join(places.artifacts!.dir, name),
              to: join(sandbox.out, name),
            })),
          ],
          etc: [
            '/etc/passwd',
            '/etc/group',
            '/etc/alternatives',
            ...(recipe.scriptNetwork ? ['/etc/ssl/certs', '/etc/ca-certificates'] : []),
          ],
        });
      } else {
        await inImage(ctx, sandbox, command, options);
      }
      ctx.log(`${name}: exited with 0`);
    } catch (error) {
      if (!(error instanceof CommandFailed) || error.reason !== 'exit') throw error;
      ctx.log(`${name}: exited with ${error.code}`);
      if (script.erroronfail) {
        const output = firstErrorLine(`${error.stderr}\n${error.stdout}`);
        throw new BuildFailure('script-failed', ctx.step, `${name} exited with ${error.code}`, {
          script: { kind, number: index + 1, exit_code: error.code },
          log_line: { text: output ? `${name}: ${output}` : `${name}: exited with ${error.code}` },
        });
      }
    } finally {
      await rm(file, { force: true });
    }
  }
}

import { fileURLToPath } from 'node:url';
import { CommandFailed } from '../../builder/command-failed.ts';
import type { BuildEvent } from '../../builder/events.ts';
import { run } from '../../builder/exec.ts';
import { failure } from '../../contract/failure.ts';
import { type BuildOrder, type ChildResult, parseChildLine } from './child-protocol.ts';
import { processTree, signalProcesses } from './process-tree.ts';

/** Whether this code runs compiled (dist/, plain JavaScript) or from its TypeScript sources through tsx. */
const compiled = import.meta.url.endsWith('.js');

/** The real build child, compiled or not like its parent; tests give a stand-in that speaks the same protocol. */
export const BUILD_CHILD = fileURLToPath(new URL(`./build-child.${compiled ? 'js' : 'ts'}`, import.meta.url));

export interface RunBuildOptions {
  entry: string;
  order: BuildOrder;
  /** Aborted on cancel, on the worker's deadline and when the worker stops. */
  signal: AbortSignal;
  /**
   * Between SIGTERM (the child stops its build, cleans up and reports) and SIGKILL of everything left, by the
   * signal's abort reason.
   */
  killGraceMs(reason: unknown): number;
  onEvent(event: BuildEvent): void;
  /** Output that is not a protocol message: kept in the log as it is. */
  onText(line: string): void;
}

/** A TypeScript entry needs tsx (absolute: the child runs in the job's folder, where a bare `tsx` would not resolve). */
export function entryArgs(entry: string): string[] {
  return entry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx'), entry] : [entry];
}

/**
 * Runs one build in a child process and resolves to what it reported. Stopping it signals the whole process
 * tree, which the builder splits into several process groups, so nothing of a stopped build lives on.
 */
export async function runBuild(options: RunBuildOptions): Promise<ChildResult | null> {
  let result: ChildResult | null = null;
  let childPid: number | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  // A child stopped before it said it started has done nothing worth a grace: its process group goes.
  const early = new AbortController();
  const stopTree = (): void => {
    if (childPid === undefined) {
      early.abort(options.signal.reason);
      return;
    }
    const seen = processTree(childPid);
    signalProcesses(seen, 'SIGTERM');
    killTimer = setTimeout(() => {
      signalProcesses([...seen, ...processTree(childPid as number)], 'SIGKILL');
    }, options.killGraceMs(options.signal.reason));
  };
  options.signal.addEventListener('abort', stopTree, { once: true });

  try {
    // Once it started, stopping is stopTree's, which gives the child the grace the reason asks for.
    await run(process.execPath, entryArgs(options.entry), {
      cwd: options.order.outputDir,
      input: JSON.stringify(options.order),
      signal: early.signal,
      // Even when this process exits without stopping it (an exit it did not plan), the child cleans up.
      exitSignal: 'SIGTERM',
      onLine: (line, stream) => {
        const message = stream === 'stdout' ? parseChildLine(line) : null;
        if (message === null) options.onText(line);
        else if (message.type === 'started') {
          childPid = message.pid;
          if (options.signal.aborted) stopTree();
        } else if (message.type === 'result') result = message;
        // A child on this host stores its base roots in this host's cache itself: it never exports them.
        else if (message.type !== 'base-root') options.onEvent(message);
      },
    });
    return result ?? failed('the build process exited without reporting a result');
  } catch (error) {
    if (result) return result;
    if (options.signal.aborted) return null;
    if (!(error instanceof CommandFailed)) throw error;
    return failed(
      `the build process ${error.code === null ? 'was killed' : `exited with ${error.code}`}: ${error.stderr.trim().split('\n').pop() ?? ''}`,
    );
  } finally {
    options.signal.removeEventListener('abort', stopTree);
    // The SIGKILL stays armed if processes of the tree may still run after the child itself exited.
    if (killTimer) killTimer.unref();
  }
}

function failed(message: string): ChildResult {
  return { type: 'result', ok: false, failure: failure('internal', message) };
}

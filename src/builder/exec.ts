// The one place in the builder that starts external programs. Every child gets its own process group so
// that cancel and timeout can kill the whole tree it forks (mmdebstrap → apt → dpkg → maintainer scripts).
import { spawn } from 'node:child_process';
import type { StepName } from './steps.ts';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Text written to the child's stdin, which is otherwise closed. */
  input?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Called for each complete output line, as it arrives. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** The build step this command belongs to, carried by CommandFailed. */
  step?: StepName;
  /** Time between SIGTERM and SIGKILL when the command is stopped. */
  killGraceMs?: number;
  /** Exit codes that count as success. */
  okCodes?: readonly number[];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export type StopReason = 'exit' | 'timeout' | 'aborted' | 'spawn-error';

export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
  constructor(
    readonly cmd: string,
    readonly args: readonly string[],
    readonly reason: StopReason,
    readonly code: number | null,
    readonly stdout: string,
    readonly stderr: string,
    readonly step: StepName | undefined,
    /** The abort reason of the signal, when reason is 'aborted'. */
    readonly abortReason?: unknown,
  ) {
    super(`${step ? `[${step}] ` : ''}${describe(cmd, reason, code)}${firstLine(stderr, stdout)}`);
  }
}

function describe(cmd: string, reason: StopReason, code: number | null): string {
  switch (reason) {
    case 'exit':
      return `${cmd} exited with ${code}`;
    case 'timeout':
      return `${cmd} timed out`;
    case 'aborted':
      return `${cmd} was stopped`;
    case 'spawn-error':
      return `${cmd} could not be started`;
  }
}

function firstLine(stderr: string, stdout: string): string {
  const line = (stderr.trim() || stdout.trim()).split('\n').pop();
  return line ? `: ${line}` : '';
}

const outputLimit = 8 * 1024 * 1024;

/**
 * Process groups still running. Children live in groups of their own, so they would outlive a Node process
 * that exits while they run (a test runner that ends, an uncaught error); on exit they are killed.
 */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const group of liveGroups) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const okCodes = options.okCodes ?? [0];
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new CommandFailed(cmd, args, 'aborted', null, '', '', options.step, options.signal.reason));
      return;
    }
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (child.pid !== undefined) liveGroups.add(child.pid);
    let stopReason: StopReason = 'exit';
    let killTimer: NodeJS.Timeout | undefined;
    const output = { stdout: '', stderr: '' };
    const partial = { stdout: '', stderr: '' };

    const killGroup = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const stop = (reason: StopReason): void => {
      if (stopReason !== 'exit') return;
      stopReason = reason;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs ?? 5000);
    };
    const onAbort = (): void => stop('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timeout =
      options.timeoutMs === undefined ? undefined : setTimeout(() => stop('timeout'), options.timeoutMs);

    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (output[stream].length < outputLimit) output[stream] += text;
      if (!options.onLine) return;
      const lines = (partial[stream] + text).split('\n');
      partial[stream] = lines.pop() ?? '';
      for (const line of lines) options.onLine(line, stream);
    };
    child.stdout?.on('data', collect('stdout'));
    child.stderr?.on('data', collect('stderr'));
    if (options.input !== undefined) {
      // A child that exits without reading its stdin must not turn into an EPIPE crash.
      child.stdin?.on('error', () => {});
      child.stdin?.end(options.input);
    }

    // Whatever the leader leaves behind in its group (daemons, stuck grandchildren) goes with it.
    child.on('exit', () => killGroup('SIGKILL'));
    child.on('error', (error) => {
      output.stderr += String(error.message);
      stopReason = 'spawn-error';
    });
    child.on('close', (code) => {
      if (child.pid !== undefined) liveGroups.delete(child.pid);
      clearTimeout(timeout);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      for (const stream of ['stdout', 'stderr'] as const) {
        if (partial[stream] && options.onLine) options.onLine(partial[stream], stream);
      }
      const ms = Math.round(performance.now() - started);
      if (stopReason === 'exit' && code !== null && okCodes.includes(code)) {
        resolve({ code, stdout: output.stdout, stderr: output.stderr, ms });
        return;
      }
      const abortReason = stopReason === 'aborted' ? options.signal?.reason : undefined;
      reject(
        new CommandFailed(
          cmd,
          args,
          stopReason,
          code,
          output.stdout,
          output.stderr,
          options.step,
          abortReason,
        ),
      );
    });
  });
}

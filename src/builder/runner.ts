// Runs a list of named steps: progress, per-step logs and timings, deadlines, cancellation and cleanup all
// live here, so the steps themselves only do their work.

import type { BuildEventListener } from './events.ts';
import { type RunOptions, type RunResult, run } from './exec.ts';
import { BuildFailure, classifyFailure, DeadlineReached } from './failures.ts';
import type { StepName } from './steps.ts';

export type Cleanup = () => Promise<void> | void;

export interface StepContext {
  readonly step: StepName;
  /** Aborted on cancel, on the whole-build deadline and on this step's timeout. */
  readonly signal: AbortSignal;
  /** exec.run, bound to this step: its signal, its name in errors, its output in the log. */
  run(
    cmd: string,
    args: readonly string[],
    options?: Omit<RunOptions, 'signal' | 'step'>,
  ): Promise<RunResult>;
  log(line: string): void;
  packages(done: number, total: number): void;
  /** Bytes of the step's work done of a known total; sent on when a whole percent more is done, or all of it. */
  bytes(done: number, total: number): void;
  /** Registers work undone when the build ends, whatever the outcome; runs last-registered first. */
  onCleanup(cleanup: Cleanup): void;
}

export interface Step<State> {
  name: StepName;
  timeoutMs: number;
  run(ctx: StepContext, state: State): Promise<void>;
}

export interface RunStepsOptions {
  signal?: AbortSignal;
  deadlineMs: number;
  onEvent?: BuildEventListener;
  /** What steps run tools with; tests put a fake here. */
  exec?: typeof run;
}

/** Runs the steps in order; throws a classified BuildFailure. Cleanups run on every exit path. */
export async function runSteps<State>(
  steps: readonly Step<State>[],
  state: State,
  options: RunStepsOptions,
): Promise<void> {
  const emit = options.onEvent ?? (() => {});
  const exec = options.exec ?? run;
  const cleanups: Cleanup[] = [];
  const build = new AbortController();
  const deadline = setTimeout(
    () =>
      build.abort(
        new DeadlineReached(
          `the build exceeded its deadline of ${options.deadlineMs / 1000} s`,
          options.deadlineMs / 1000,
        ),
      ),
    options.deadlineMs,
  );
  const cancel = (): void => build.abort(options.signal?.reason);
  if (options.signal?.aborted) cancel();
  options.signal?.addEventListener('abort', cancel, { once: true });

  let current: StepName = steps[0]?.name ?? 'resolve';
  const names = steps.map((step) => step.name);
  try {
    for (const [position, step] of steps.entries()) {
      current = step.name;
      if (build.signal.aborted) throw build.signal.reason;
      const started = performance.now();
      emit({ type: 'progress', step: step.name, index: position + 1, total: steps.length, steps: names });
      const stepAbort = new AbortController();
      const stepTimer = setTimeout(
        () =>
          stepAbort.abort(
            new DeadlineReached(
              `step ${step.name} exceeded its timeout of ${step.timeoutMs / 1000} s`,
              step.timeoutMs / 1000,
            ),
          ),
        step.timeoutMs,
      );
      const forward = (): void => stepAbort.abort(build.signal.reason);
      // A listener of the progress event may have cancelled already.
      if (build.signal.aborted) forward();
      else build.signal.addEventListener('abort', forward, { once: true });
      const log = (line: string): void => emit({ type: 'log', step: step.name, line });
      const progress = {
        type: 'progress',
        step: step.name,
        index: position + 1,
        total: steps.length,
        steps: names,
      } as const;
      let bytesShown = -1;
      const ctx: StepContext = {
        step: step.name,
        signal: stepAbort.signal,
        run: (cmd, args, runOptions = {}) =>
          exec(cmd, args, { onLine: log, ...runOptions, signal: stepAbort.signal, step: step.name }),
        log,
        packages: (done, total) => emit({ ...progress, packages: { done, total } }),
        bytes: (done, total) => {
          // A child's line per read block would flood the worker and the log; a hundred per step is plenty.
          const percent = total > 0 ? Math.floor((done * 100) / total) : 100;
          if (percent === bytesShown) return;
          bytesShown = percent;
          emit({ ...progress, bytes: { done, total } });
        },
        onCleanup: (cleanup) => cleanups.push(cleanup),
      };
      try {
        stepAbort.signal.throwIfAborted();
        await step.run(ctx, state);
        stepAbort.signal.throwIfAborted();
      } catch (error) {
        throw classifyFailure(error, step.name, stepAbort.signal.aborted ? stepAbort.signal : undefined);
      } finally {
        clearTimeout(stepTimer);
        build.signal.removeEventListener('abort', forward);
      }
      emit({ type: 'step-finished', step: step.name, ms: Math.round(performance.now() - started) });
    }
  } catch (error) {
    throw error instanceof BuildFailure ? error : classifyFailure(error, current, build.signal);
  } finally {
    clearTimeout(deadline);
    options.signal?.removeEventListener('abort', cancel);
    await runCleanups(cleanups, (line) => emit({ type: 'log', line }));
  }
}

async function runCleanups(cleanups: Cleanup[], log: (line: string) => void): Promise<void> {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      // One failed cleanup must not stop the others; the log keeps the evidence.
      log(`cleanup failed: ${(error as Error).message}`);
    }
  }
}

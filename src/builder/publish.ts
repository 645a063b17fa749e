// What every backend does around its own work: NAME.log written from the events, artifacts staged in a hidden
// folder and moved into the output folder only when the whole build succeeded, and a failure reported with
// its class, leaving nothing but the log behind.
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Failure } from '../contract/failure.ts';
import type { BuildEvent, BuildEventListener } from './events.ts';
import { BuildFailure } from './failures.ts';
import type { FileDigest } from './file-digest.ts';

export interface Artifact {
  file: string;
  /** The image itself, as opposed to the files that describe it. */
  main: boolean;
  /** Its size and SHA-256, when the build hashed it (the checksum step hashes every artifact it lists). */
  digest?: FileDigest;
}

export interface PublishedArtifact extends Artifact {
  path: string;
}

export type BuildOutcome =
  | { ok: true; artifacts: PublishedArtifact[]; ms: number }
  | { ok: false; failure: Failure; ms: number; log?: string };

export function failureReport(failure: BuildFailure): Failure {
  return failure.toFailure();
}

export interface PublishOptions {
  /** Where the work writes its artifacts; they move to outputDir on success. */
  stageDir: string;
  outputDir: string;
  name: string;
  /**
   * False when the caller writes NAME.log itself from the events (the service's worker does, so that its own
   * lines and a follower's offsets survive the build); then the backend neither writes nor replaces it.
   */
  writeLog: boolean;
  onEvent?: BuildEventListener;
  /** performance.now() when the build started, for the outcome's duration. */
  started: number;
}

/** Runs `work` (which returns the artifacts it staged) and publishes them, or reports why it failed. */
export async function buildAndPublish(
  options: PublishOptions,
  work: (emit: BuildEventListener) => Promise<Artifact[]>,
): Promise<BuildOutcome> {
  const elapsed = () => Math.round(performance.now() - options.started);
  const logName = `${options.name}.log`;
  const log = options.writeLog ? createWriteStream(join(options.stageDir, logName)) : undefined;
  const emit = (event: BuildEvent): void => {
    log?.write(logLines(formatEvent(event)));
    options.onEvent?.(event);
  };
  try {
    const artifacts = await work(emit);
    emit({ type: 'log', line: `build succeeded in ${(elapsed() / 1000).toFixed(1)} s` });
    const published = log ? [...artifacts, { file: logName, main: false }] : artifacts;
    if (log) await closeStream(log);
    for (const artifact of published) {
      await rename(join(options.stageDir, artifact.file), join(options.outputDir, artifact.file));
    }
    return {
      ok: true,
      artifacts: published.map((a) => ({ ...a, path: join(options.outputDir, a.file) })),
      ms: elapsed(),
    };
  } catch (error) {
    const failure =
      error instanceof BuildFailure ? error : new BuildFailure('internal', 'resolve', String(error));
    emit({ type: 'log', line: `build failed: ${failure.kind} in ${failure.step}: ${failure.message}` });
    const logPath = join(options.outputDir, logName);
    if (!log) return { ok: false, failure: failureReport(failure), ms: elapsed() };
    await closeStream(log);
    // The log explains the failure, so it stays; every half-made image goes with the stage folder.
    await rename(join(options.stageDir, logName), logPath).catch(() => {});
    return { ok: false, failure: failureReport(failure), ms: elapsed(), log: logPath };
  } finally {
    if (log) await closeStream(log);
  }
}

function closeStream(stream: NodeJS.WritableStream & { closed?: boolean }): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve) => stream.end(resolve));
}

/**
 * A log entry as it goes into a build's log: each of its lines stamped. A message that quotes build output (a
 * failure, a note) may hold line breaks; unstamped, what follows one would pass for a line of the log's own
 * (`job DONE`, say).
 */
export function logLines(text: string, at = new Date()): string {
  const stamp = at.toISOString();
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => `${stamp} ${line}\n`)
    .join('');
}

export function formatEvent(event: BuildEvent): string {
  switch (event.type) {
    case 'log':
      return event.step ? `[${event.step}] ${event.line}` : event.line;
    case 'progress': {
      const packages = event.packages ? ` packages ${event.packages.done}/${event.packages.total}` : '';
      const bytes = event.bytes ? ` bytes ${event.bytes.done}/${event.bytes.total}` : '';
      return `== ${event.index}/${event.total} ${event.step}${packages}${bytes}`;
    }
    case 'step-finished':
      return `== ${event.step} done in ${(event.ms / 1000).toFixed(1)} s`;
  }
}

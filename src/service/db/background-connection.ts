// The SQLite database's second connection in a long-running process, in a thread of its own
// (background-thread.js): it checkpoints the write-ahead log beside the process's own commits, and runs the reads
// that take seconds (a year of statistics) without holding the event loop.

import { Worker } from 'node:worker_threads';
import type { CompiledQuery } from 'kysely';

const thread = new URL('./background-thread.js', import.meta.url);
/** How often the thread copies the log into the database file: about 300 submissions' pages at the most. */
const CHECKPOINT_EVERY_MS = 200;
/**
 * The committing connection still checkpoints once the log holds this many pages (40 MiB), in case the thread
 * cannot keep up (passive checkpoints never finish under writes that do not pause, or while it reads) or is gone;
 * SQLite's default is 1000.
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;
/**
 * How long a stop waits for the thread's last checkpoint: a hung filesystem does not hold up the process's exit,
 * and the timer keeps the wait alive where the unref'd thread, ending without a word, would not.
 */
const STOP_WAIT_MS = 2000;

export interface BackgroundConnection {
  /** The rows of a reading statement, read by the thread; undefined once the thread is gone, BackgroundGone if it
   * goes before it answers. */
  read<R>(query: CompiledQuery<R>): Promise<R[]> | undefined;
  /** A last checkpoint, then the thread's connection closes; reads not answered yet fail. */
  stop(): Promise<void>;
}

/** Why a read was not answered: the thread ended (a crash, or the process stopping it) before it could answer. */
export class BackgroundGone extends Error {}

type Answer = { id: number; rows: unknown[] } | { id: number; error: string; code?: string };

/** `onFailure`: told once if the thread ends on its own; commits then checkpoint at the fallback. */
export function startBackgroundConnection(
  file: string,
  onFailure: (error: unknown) => void,
): BackgroundConnection {
  const worker = new Worker(thread, { workerData: { file, everyMs: CHECKPOINT_EVERY_MS } });
  // Never what keeps a process alive, and never what ends it.
  worker.unref();
  const waiting = new Map<number, { resolve: (rows: unknown[]) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let alive = true;
  let quiet = false;
  const gone = (error: Error) => {
    alive = false;
    for (const read of waiting.values()) {
      read.reject(
        new BackgroundGone(`the background connection is gone: ${error.message}`, { cause: error }),
      );
    }
    waiting.clear();
  };
  worker.on('message', (answer: Answer) => {
    const read = waiting.get(answer.id);
    waiting.delete(answer.id);
    if (waiting.size === 0) worker.unref();
    if ('error' in answer) {
      read?.reject(
        Object.assign(new Error(answer.error), answer.code === undefined ? {} : { code: answer.code }),
      );
    } else read?.resolve(answer.rows);
  });
  worker.on('error', (error) => {
    gone(error);
    if (quiet) return;
    quiet = true;
    onFailure(error);
  });
  const ended = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      gone(new Error('the background connection has closed'));
      resolve();
    }),
  );
  return {
    read<R>(query: CompiledQuery<R>) {
      if (!alive) return undefined;
      const id = nextId++;
      // A read in progress keeps the process alive until it is answered, as any query would.
      worker.ref();
      return new Promise<R[]>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (rows: unknown[]) => void, reject });
        worker.postMessage({ id, sql: query.sql, parameters: query.parameters });
      });
    },
    async stop() {
      quiet = true;
      worker.postMessage('stop');
      let waited: NodeJS.Timeout | undefined;
      await Promise.race([
        ended,
        new Promise((resolve) => {
          waited = setTimeout(resolve, STOP_WAIT_MS);
        }),
      ]);
      clearTimeout(waited);
      await worker.terminate();
    },
  };
}

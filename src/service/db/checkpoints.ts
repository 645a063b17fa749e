// Where the SQLite database's write-ahead log is checkpointed in a long-running process: a thread of its own
// (checkpoint-thread.js).
import { Worker } from 'node:worker_threads';

const thread = new URL('./checkpoint-thread.js', import.meta.url);
/** How often the thread copies the log into the database file: about 300 submissions' pages at the most. */
const CHECKPOINT_EVERY_MS = 200;
/**
 * The committing connection still checkpoints once the log holds this many pages (40 MiB), in case the thread
 * cannot keep up (passive checkpoints never finish under writes that do not pause) or is gone; SQLite's default
 * is 1000.
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;
/**
 * How long a stop waits for the thread's last checkpoint: a hung filesystem does not hold up the process's exit,
 * and the timer keeps the wait alive where the unref'd thread, ending without a word, would not.
 */
const STOP_WAIT_MS = 2000;

export interface CheckpointThread {
  /** A last checkpoint, then the thread's connection closes. */
  stop(): Promise<void>;
}

/** `onFailure`: told once if the thread ends on its own; commits then checkpoint at the fallback. */
export function startCheckpoints(file: string, onFailure: (error: unknown) => void): CheckpointThread {
  const worker = new Worker(thread, { workerData: { file, everyMs: CHECKPOINT_EVERY_MS } });
  // Never what keeps a process alive, and never what ends it.
  worker.unref();
  let quiet = false;
  worker.on('error', (error) => {
    if (quiet) return;
    quiet = true;
    onFailure(error);
  });
  const ended = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      quiet = true;
      worker.postMessage('stop');
      let waited: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise((resolve) => worker.once('message', resolve)),
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

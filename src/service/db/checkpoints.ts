// Where the SQLite database's write-ahead log is checkpointed: a thread of its own (checkpoint-thread.js).
import { Worker } from 'node:worker_threads';

const thread = new URL('./checkpoint-thread.js', import.meta.url);
/** How often the thread copies the log into the database file: about 300 submissions' pages at the most. */
const CHECKPOINT_EVERY_MS = 200;
/**
 * The committing connection still checkpoints once the log holds this many pages (40 MiB), in case the thread
 * cannot keep up or is gone; SQLite's default is 1000.
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

export interface CheckpointThread {
  /** A last checkpoint, then the thread's connection closes. */
  stop(): Promise<void>;
}

export function startCheckpoints(file: string): CheckpointThread {
  const worker = new Worker(thread, { workerData: { file, everyMs: CHECKPOINT_EVERY_MS } });
  // Never what keeps a process alive, and never what ends it: a thread that failed leaves the fallback.
  worker.unref();
  worker.on('error', () => {});
  const ended = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let running = true;
  void ended.then(() => {
    running = false;
  });
  return {
    async stop() {
      if (running) {
        worker.postMessage('stop');
        await Promise.race([new Promise((resolve) => worker.once('message', resolve)), ended]);
      }
      await worker.terminate();
    },
  };
}

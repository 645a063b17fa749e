// The part every build child shares, the real one and a test's stand-in: read the order, stop when told to
// (SIGTERM from the worker) or when the worker is gone (kill -9, so no signal comes), report as JSON lines.
import { text } from 'node:stream/consumers';
import { type BuildOrder, type ChildMessage, encodeMessage, parseBuildOrder } from './child-protocol.ts';

export interface ChildRuntime {
  order: BuildOrder;
  /** Aborted on SIGTERM or when the worker process disappears. */
  signal: AbortSignal;
  send(message: ChildMessage): void;
}

const PARENT_CHECK_MS = 1000;

export async function startChild(): Promise<ChildRuntime> {
  const order = parseBuildOrder(await text(process.stdin));
  const stop = new AbortController();
  process.on('SIGTERM', () => stop.abort(new Error('stopped by the worker')));
  // Writes to a worker that is gone fail with EPIPE; left unhandled, that would crash the child in the middle
  // of the builder's cleanup (mounts, loop devices, the work folder).
  process.stdout.on('error', () => stop.abort(new Error('the worker process is gone')));
  // An orphan would go on building into a folder another worker may now own: a changed parent means stop.
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) stop.abort(new Error('the worker process is gone'));
  }, PARENT_CHECK_MS);
  watch.unref();
  const send = (message: ChildMessage): void => {
    process.stdout.write(encodeMessage(message));
  };
  send({ type: 'started', pid: process.pid });
  return { order, signal: stop.signal, send };
}

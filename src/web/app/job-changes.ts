import { useEffect, useRef } from 'react';
import { type JobChange, parseJobChange } from '../../client/api-client.ts';
import { api } from './api.ts';

/**
 * Pages following job changes still read their jobs again this often (while the tab is visible), in case the
 * stream stalls without failing, e.g. behind a proxy that holds it open but passes nothing on.
 */
export const SAFETY_POLL_MS = 30_000;

/** Changes are handed on together at most this often: a burst (a bulk delete, a busy worker) is one reload. */
const BATCH_MS = 250;
/** More changes than this waiting (in a hidden tab) are handed on as "anything may have changed". */
const BATCH_MAX = 100;
/** A stream the server refused (logged out, restarting) is asked for again after this long, if still wanted. */
const REOPEN_MS = 5000;
/** The stream stays open this long after the last listener went, so moving to the next page keeps it. */
const LINGER_MS = 10_000;

/** The changes since the last call; null when the stream (re)connected, so any job may have changed unseen. */
export type JobChangeListener = (changes: readonly JobChange[] | null) => void;

// One stream for the whole tab, whatever the pages on it follow.
const listeners = new Set<JobChangeListener>();
let source: EventSource | undefined;
/** undefined while nothing waits to be handed on. */
let pending: JobChange[] | null | undefined;
let batching = false;
let reopenTimer: ReturnType<typeof setTimeout> | undefined;
let lingerTimer: ReturnType<typeof setTimeout> | undefined;

function collect(change: JobChange | null): void {
  if (change === null || pending === null || (pending?.length ?? 0) >= BATCH_MAX) pending = null;
  else {
    pending ??= [];
    pending.push(change);
  }
  if (batching) return;
  batching = true;
  setTimeout(handOn, BATCH_MS);
}

/** A hidden tab asks the server for nothing: what changed meanwhile is handed on when it is shown. */
function handOn(): void {
  batching = false;
  if (pending === undefined || document.visibilityState !== 'visible') return;
  const changes = pending;
  pending = undefined;
  for (const listener of listeners) listener(changes);
}

function open(): EventSource {
  const stream = new EventSource(api.jobChangesUrl());
  // Changes made before the stream was up, or while it was down, were not heard of.
  stream.addEventListener('open', () => collect(null));
  // Checked against the contract: one that is not a change (a newer server's, a broken one) only means that
  // anything may have changed, as after a reconnect. The checks resolve in the order the events came.
  stream.addEventListener(
    'job',
    (event: MessageEvent<string>) => void parseJobChange(event.data).then(collect),
  );
  stream.addEventListener('error', () => {
    // A dropped connection is retried by EventSource itself; a refused one (401, a proxy's error page) is not.
    if (stream.readyState !== EventSource.CLOSED) return;
    source = undefined;
    reopenTimer = setTimeout(() => {
      reopenTimer = undefined;
      if (listeners.size > 0) source ??= open();
    }, REOPEN_MS);
  });
  return stream;
}

function listen(listener: JobChangeListener): () => void {
  listeners.add(listener);
  clearTimeout(lingerTimer);
  if (source === undefined && reopenTimer === undefined) source = open();
  return () => {
    listeners.delete(listener);
    if (listeners.size > 0) return;
    lingerTimer = setTimeout(() => {
      source?.close();
      source = undefined;
    }, LINGER_MS);
  };
}

document.addEventListener('visibilitychange', handOn);

/** Calls `listener` with the job changes the server streams, while the component is mounted. */
export function useJobChanges(listener: JobChangeListener): void {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => listen((changes) => latest.current(changes)), []);
}

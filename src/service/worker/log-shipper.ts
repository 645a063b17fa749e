import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient, ApiError } from '../../client/api-client.ts';
import { LOG_CHUNK_MAX_BYTES } from '../../contract/api.ts';
import type { UploadTarget } from './upload.ts';

/** Half the second a line may take to reach a follower: the web node's own poll of the file adds the rest. */
const EVERY_MS = 500;
/** A web node that stays away is asked at least this often, so the log catches up soon after it is back. */
const MAX_PAUSE_MS = 30_000;
/** A web node that takes in but never answers must not hold the shipping, nor the job's end, for long. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface LogShipper {
  /**
   * Sends what is left once more, then stops; resolves when nothing is in flight. A web node that fails this last
   * try loses nothing: the final upload carries the whole log.
   */
  finish(): Promise<void>;
}

/**
 * Copies the local log of a job to the web node as it grows, so a follower there sees a remote build live: what
 * was added, every EVERY_MS, in chunks of at most LOG_CHUNK_MAX_BYTES, one request at a time, each at its byte
 * offset so that a resent chunk is never stored twice. The first chunk, at offset 0, replaces what an earlier
 * attempt of the job sent. A web node that is away is retried with doubling pauses and the build goes on
 * regardless; one that refuses (the job is no longer this worker's, a token that is not an admin's) ends the
 * shipping, and the log then reaches it only with the final upload.
 */
export function shipLog(
  target: UploadTarget,
  log: { jobId: string; workerId: string; path: string },
  onError: (error: unknown, context: string) => void,
): LogShipper {
  const client = new ApiClient({ server: target.url, token: target.token });
  /** How much of the local log the web node holds: its log is the local one up to there. */
  let shipped = 0;
  const stop = new AbortController();

  /** Sends the next chunk; true when more may be waiting. */
  const shipNext = async (): Promise<boolean> => {
    const chunk = await readFrom(log.path, shipped);
    if (chunk.length === 0) return false;
    try {
      const position = { offset: shipped, worker: log.workerId };
      const options = { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
      shipped = (await client.appendLog(log.jobId, new Blob([chunk]), position, options)).size;
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'log-gap')) throw error;
      // The web node has less than it acknowledged (its copy was removed): send again from where it stops.
      shipped = (error.details as { size: number }).size;
    }
    return true;
  };

  /** Resolves false when the web node refused the log for good. */
  const shipping = (async (): Promise<boolean> => {
    for (let failures = 0; !stop.signal.aborted; ) {
      try {
        const more = await shipNext();
        failures = 0;
        if (more) continue;
      } catch (error) {
        if (refused(error)) {
          onError(error, `the web node refuses the live log of job ${log.jobId}; it gets the log at the end`);
          return false;
        }
        // Once per outage, not at every try.
        if (failures === 0) onError(error, `the live log of job ${log.jobId} cannot be sent; retrying`);
        failures += 1;
      }
      const pauseMs = Math.min(MAX_PAUSE_MS, EVERY_MS * 2 ** failures);
      await sleep(pauseMs, undefined, { signal: stop.signal }).catch(() => {});
    }
    return true;
  })();

  let finished: Promise<void> | undefined;
  return {
    finish() {
      finished ??= (async () => {
        stop.abort();
        if (!(await shipping)) return;
        try {
          while (await shipNext());
        } catch (error) {
          onError(error, `the end of the live log of job ${log.jobId} could not be sent`);
        }
      })();
      return finished;
    },
  };
}

/** At most a chunk of the file from `offset` on; nothing while the file does not exist yet. */
async function readFrom(path: string, offset: number): Promise<Buffer<ArrayBuffer>> {
  const file = await open(path, 'r').catch(() => null);
  if (!file) return Buffer.alloc(0);
  try {
    const { size } = await file.stat();
    const chunk = Buffer.alloc(Math.max(0, Math.min(size - offset, LOG_CHUNK_MAX_BYTES)));
    const { bytesRead } = await file.read(chunk, 0, chunk.length, offset);
    return chunk.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** An answer the same request would get again: sending it on is pointless. */
function refused(error: unknown): boolean {
  return error instanceof ApiError && error.status >= 400 && error.status < 500;
}

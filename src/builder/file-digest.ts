// A file's size and SHA-256, hashed once, where it is made (the builder), and carried to whoever needs them
// (SHA256SUMS, the worker's artifact records) instead of being read again.
import { Worker } from 'node:worker_threads';

export interface FileDigest {
  size: number;
  sha256: string;
  /** The file's modification time when it was hashed (ms): a later change makes the digest stale. */
  mtimeMs: number;
}

const thread = new URL(`./digest-thread.js`, import.meta.url);

/**
 * Hashes a file in a worker thread of its own (digest-thread.js); a signal stops it. `file` is a path (a link at
 * its end is refused) or a descriptor already open, which is read from its start and left open.
 */
export function digestFile(
  file: string | { fd: number },
  signal?: AbortSignal,
  /** Told the bytes hashed so far now and then, for a progress bar over a multi-GiB image. */
  onBytes?: (hashed: number) => void,
): Promise<FileDigest> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  const path = typeof file === 'string' ? file : `descriptor ${file.fd}`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(thread, { workerData: typeof file === 'string' ? { path } : file });
    const onAbort = (): void => {
      void worker.terminate();
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: { hashed: number } | { digest: FileDigest }) => {
      if ('digest' in message) resolve(message.digest);
      else onBytes?.(message.hashed);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (code !== 0) reject(new Error(`hashing ${path} stopped (thread exit ${code})`));
    });
  });
}

/** A digest that came from another process (the build child's report), checked before it is used. */
export function isFileDigest(value: unknown): value is FileDigest {
  const digest = value as Partial<FileDigest> | null;
  return (
    Number.isSafeInteger(digest?.size) &&
    (digest?.size ?? -1) >= 0 &&
    typeof digest?.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(digest.sha256) &&
    typeof digest.mtimeMs === 'number' &&
    Number.isFinite(digest.mtimeMs)
  );
}

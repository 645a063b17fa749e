// @ts-check
// One file's size and SHA-256, computed in a worker thread (file-digest.ts starts it): a multi-GiB disk image is
// read in 4 MiB blocks with plain synchronous reads, so neither the event loop nor libuv's small thread pool (which
// every other file operation of the process shares) waits on it. Plain JavaScript: a worker thread does not inherit
// the TypeScript loader when `imger` registers it at run time (bin/imger.js).
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const BLOCK = 4 * 1024 * 1024;
/** How often the bytes hashed so far are told, for the build's progress: every 16 blocks. */
const TELL_EVERY = 16 * BLOCK;
/** @type {{ path: string } | { fd: number }} */
const source = workerData;
// A descriptor the caller opened (and checked) is read, never reopened by name; it stays the caller's to close.
const fd = 'fd' in source ? source.fd : openSync(source.path, constants.O_RDONLY | constants.O_NOFOLLOW);
try {
  const block = Buffer.allocUnsafe(BLOCK);
  const hash = createHash('sha256');
  let size = 0;
  for (;;) {
    const read = readSync(fd, block, 0, BLOCK, size);
    if (read === 0) break;
    hash.update(read === BLOCK ? block : block.subarray(0, read));
    size += read;
    if (size % TELL_EVERY === 0) parentPort?.postMessage({ hashed: size });
  }
  // The modification time as the file stands hashed: whoever reuses the digest can tell whether it changed since.
  const { mtimeMs } = fstatSync(fd);
  parentPort?.postMessage({ digest: { size, sha256: hash.digest('hex'), mtimeMs } });
} finally {
  if (!('fd' in source)) closeSync(fd);
}

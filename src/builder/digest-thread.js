// @ts-check
// One file's size and SHA-256, computed in a worker thread (file-digest.ts starts it): a multi-GiB disk image is
// read in 4 MiB blocks with plain synchronous reads, so neither the event loop nor libuv's small thread pool (which
// every other file operation of the process shares) waits on it. Plain JavaScript: a worker thread does not inherit
// the TypeScript loader when `imger` registers it at run time (bin/imger.js).
//
// Only the data of a sparse file is read; its holes are hashed as the zeros they read as. Reading a hole of a
// file on ext4 makes the kernel allocate and zero a page-cache page for every 4 KiB of it: 4.9 s of system time
// for a fresh 2.2 GiB raw disk here, against 1.3 s to hash its bytes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const BLOCK = 4 * 1024 * 1024;
/** How often the bytes hashed so far are told, for the build's progress: every 16 blocks. */
const TELL_EVERY = 16 * BLOCK;
/** @type {{ path: string } | { fd: number }} */
const source = workerData;

/** Where xfs_io is on Debian; a PATH without the sbin folders (an ordinary user's) would not find it. */
const XFS_IO = existsSync('/usr/sbin/xfs_io') ? '/usr/sbin/xfs_io' : 'xfs_io';

/**
 * The file's data as [start, end) ranges, from SEEK_DATA/SEEK_HOLE, which Node does not offer: xfs_io (xfsprogs,
 * which the builder needs for xfs anyway) asks on the same file, opened again through this process's descriptor
 * and handed over as its standard input. Anything unexpected, or no xfs_io, and the whole file counts as data:
 * slower, never wrong, since a hole only ever stands for zeros. (A filesystem whose SEEK_DATA misses freshly
 * written data, as OpenZFS 2.1-2.2 could, would give a wrong digest; the check after reading cannot see that.)
 * @param {number} fd
 * @param {import('node:fs').Stats} stat
 * @returns {[number, number][]}
 */
function dataRanges(fd, stat) {
  const { size } = stat;
  const whole = /** @type {[number, number][]} */ ([[0, size]]);
  if (size === 0) return [];
  // Blocks for every byte: no hole to find, and no process to start (SHA256SUMS, a log, a small image).
  if (stat.blocks * 512 >= size) return whole;
  let listing;
  let own;
  try {
    // A description of its own for xfs_io to seek in: the caller's descriptor keeps its offset.
    own = openSync(`/proc/self/fd/${fd}`, constants.O_RDONLY);
    listing = execFileSync(XFS_IO, ['-r', '-c', 'seek -a -r 0', '/proc/self/fd/0'], {
      encoding: 'utf8',
      stdio: [own, 'pipe', 'ignore'],
      // A hashing that is stopped cannot end this call: it is kept short.
      timeout: 2000,
    });
  } catch {
    return whole;
  } finally {
    if (own !== undefined) closeSync(own);
  }
  /** @type {[number, number][]} */
  const ranges = [];
  let dataFrom = /** @type {number | undefined} */ (undefined);
  let last = -1;
  for (const line of listing.split('\n').slice(1)) {
    if (line === '') continue;
    const match = /^(DATA|HOLE)\t(\d+|EOF)$/.exec(line);
    if (!match) return whole;
    const at = match[2] === 'EOF' ? size : Number(match[2]);
    if (!Number.isSafeInteger(at) || at < last || at > size) return whole;
    last = at;
    if (match[1] === 'DATA') dataFrom ??= at;
    else if (dataFrom !== undefined) {
      ranges.push([dataFrom, at]);
      dataFrom = undefined;
    }
  }
  if (dataFrom !== undefined) ranges.push([dataFrom, size]);
  return ranges;
}

// A descriptor the caller opened (and checked) is read, never reopened by name; it stays the caller's to close.
const fd = 'fd' in source ? source.fd : openSync(source.path, constants.O_RDONLY | constants.O_NOFOLLOW);
try {
  const before = fstatSync(fd);
  // A device, a pipe or a /proc file has no size to go by; only an image file is hashed.
  if (!before.isFile())
    throw new Error(`${'path' in source ? source.path : `descriptor ${fd}`} is not a regular file`);
  const { size, mtimeMs } = before;
  const block = Buffer.allocUnsafe(BLOCK);
  const zeros = Buffer.alloc(BLOCK);
  const hash = createHash('sha256');
  let hashed = 0;
  let told = 0;
  /** @param {Buffer} bytes */
  const add = (bytes) => {
    hash.update(bytes);
    hashed += bytes.length;
    if (hashed - told >= TELL_EVERY) {
      told = hashed;
      parentPort?.postMessage({ hashed });
    }
  };
  for (const [start, end] of [...dataRanges(fd, before), [size, size]]) {
    while (hashed < start) add(zeros.subarray(0, Math.min(BLOCK, start - hashed)));
    while (hashed < end) {
      const read = readSync(fd, block, 0, Math.min(BLOCK, end - hashed), hashed);
      if (read === 0) throw new Error(`the file ended at ${hashed} of ${size} bytes while it was hashed`);
      add(block.subarray(0, read));
    }
  }
  // Holes were taken as they were when the file was mapped: a file that grew or was written since gives no digest.
  const after = fstatSync(fd);
  if (readSync(fd, block, 0, 1, size) !== 0 || after.size !== size || after.mtimeMs !== mtimeMs) {
    throw new Error('the file changed while it was hashed');
  }
  parentPort?.postMessage({ digest: { size, sha256: hash.digest('hex'), mtimeMs } });
} finally {
  if (!('fd' in source)) closeSync(fd);
}

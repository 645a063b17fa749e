import { createHash, randomBytes } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { lstat, mkdir, open, realpath, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { shown } from '../../builder/out-folder.ts';
import { ServiceError } from '../errors.ts';

const MAX_DEPTH = 8;
/** Bytes of UTF-8, as Linux filesystems count a name. */
const MAX_SEGMENT_BYTES = 255;

/**
 * What is wrong with a job file's name, or null: it must be a relative path of plain names, nothing absolute, no
 * `..`, no control character (NUL included), and no dot files, which are a build's staging leftovers (never served)
 * and this module's own temp files.
 */
export function fileNameProblem(name: string): string | null {
  const parts = name.split('/');
  const plain = (part: string) =>
    part !== '' &&
    !part.startsWith('.') &&
    Buffer.byteLength(part, 'utf8') <= MAX_SEGMENT_BYTES &&
    !part.includes('\\') &&
    ![...part].some((char) => char < ' ' || char === '\u007f');
  if (parts.length <= MAX_DEPTH && parts.every(plain)) return null;
  return `file name "${shown(name)}" must be a relative path of at most ${MAX_DEPTH} plain names of up to ${MAX_SEGMENT_BYTES} bytes (no "..", no dot files)`;
}

export interface ReceiveOptions {
  /** Lowercase hex; the file is kept only if what arrived hashes to it. */
  sha256: string;
  maxBytes: number;
  /** Last check before the file replaces any earlier one (the job may have changed hands during a long upload). */
  beforeRename(): Promise<void>;
}

/**
 * Streams a body to `<folder>/<name>`: into a temp file beside it, hashed and counted on the way, renamed only
 * when whole and matching, so a reader of the folder never sees half a file or a corrupt one.
 */
export async function receiveFile(
  body: Readable,
  folder: string,
  name: string,
  options: ReceiveOptions,
): Promise<{ size: number; sha256: string }> {
  const problem = fileNameProblem(name);
  if (problem) throw new ServiceError('bad-request', problem);
  const parent = await makeFoldersInside(folder, name.split('/').slice(0, -1));
  const temp = join(parent, `.upload-${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > options.maxBytes)
        return done(new ServiceError('too-large', `a file may have at most ${options.maxBytes} bytes`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(body, meter, createWriteStream(temp, { flags: 'wx' }));
    const sha256 = hash.digest('hex');
    if (sha256 !== options.sha256) {
      throw new ServiceError(
        'bad-request',
        `the upload of ${name} arrived with sha256 ${sha256}, not the x-img-sha256 ${options.sha256}; send it again`,
      );
    }
    await options.beforeRename();
    await rename(temp, join(parent, name.split('/').pop() ?? name));
    return { size, sha256 };
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Writes a chunk of a live log that starts at byte `offset`, and returns the log's new size. Bytes the file
 * already has are not written again, so a chunk sent twice (an answer lost on the way) is stored once; a chunk
 * past the end would leave a hole and is refused with the size, for the sender to go on from there. A chunk at
 * offset 0 starts the log over instead: a requeued job's new attempt replaces what the last one sent, as its
 * final upload will. Writes go to explicit positions, never "append", so even two copies of a chunk arriving at
 * once leave the same bytes.
 */
export async function writeLogChunk(path: string, offset: number, chunk: Buffer): Promise<number> {
  await ownFolder(dirname(path));
  // O_NOFOLLOW: a link planted under the log's name is refused, not written through.
  const file = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ELOOP') throw error;
      throw new ServiceError('bad-request', 'the log of the job is a link, not a file');
    },
  );
  try {
    const { size } = await file.stat();
    if (offset === 0 && chunk.length > 0) {
      await file.write(chunk, 0, chunk.length, 0);
      // Only ever shortened: a truncate that could lengthen would zero-fill past whatever the file became meanwhile.
      if (size > chunk.length) await file.truncate(chunk.length);
      return chunk.length;
    }
    if (offset > size) {
      const message = `the log has ${size} bytes; send it on from there, not from ${offset}`;
      throw new ServiceError('log-gap', message, { size });
    }
    const stored = size - offset;
    if (stored >= chunk.length) return size;
    await file.write(chunk, stored, chunk.length - stored, size);
    return offset + chunk.length;
  } finally {
    await file.close();
  }
}

/**
 * The job's folder, made if missing, as it really is; refused when it is a link (planted there, or swapped in for
 * the folder, it could point anywhere), as the store's reads refuse it.
 */
async function ownFolder(folder: string): Promise<string> {
  await mkdir(folder, { recursive: true });
  if (!(await lstat(folder)).isDirectory())
    throw new ServiceError(
      'bad-request',
      "the job's folder is not a folder but a link; nothing is written there",
    );
  return realpath(folder);
}

/**
 * Makes the folders of a name inside `root` one at a time, refusing any that is not a real folder: a symbolic link
 * planted there must not carry the file (or a folder made on the way) out of the job's folder.
 */
async function makeFoldersInside(root: string, parts: readonly string[]): Promise<string> {
  let folder = await ownFolder(root);
  for (const part of parts) {
    folder = join(folder, part);
    await mkdir(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    if (!(await lstat(folder)).isDirectory())
      throw new ServiceError('bad-request', `"${part}" in the job's folder is not a folder`);
  }
  return folder;
}

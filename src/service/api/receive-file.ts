import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, realpath, rename, rm } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ServiceError } from '../errors.ts';

const MAX_DEPTH = 8;
const MAX_SEGMENT = 255;

/**
 * An uploaded file's name is a relative path of plain names: nothing absolute, no `..`, and no dot files, which
 * are a build's staging leftovers (never served) and this module's own temp files.
 */
export function checkUploadName(name: string): void {
  const parts = name.split('/');
  const plain = (part: string) =>
    part !== '' &&
    !part.startsWith('.') &&
    part.length <= MAX_SEGMENT &&
    !part.includes('\\') &&
    ![...part].some((char) => char < ' ');
  if (parts.length > MAX_DEPTH || !parts.every(plain)) {
    throw new ServiceError(
      'bad-request',
      `file name "${name}" must be a relative path of at most ${MAX_DEPTH} plain names (no "..", no dot files)`,
    );
  }
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
  const target = join(folder, name);
  await mkdir(dirname(target), { recursive: true });
  const root = await realpath(folder);
  const parent = await realpath(dirname(target));
  if (parent !== root && !parent.startsWith(root + sep))
    throw new ServiceError('bad-request', `file name "${name}" leads out of the job's folder`);

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

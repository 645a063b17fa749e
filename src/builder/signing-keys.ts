// Signing keys of the repositories a kickstart names (`repo --gpgkey=`). A key comes from the request's own
// text (a data: URL: how a job's extra repository carries an armored key), from an http(s) URL the builder
// fetches, or from a file in the admin's key folder ([worker] gpg_key_dir); never from another path of the
// server, which could hold anything, a keyring another job just wrote into its output folder included.
import { readFile, realpath, writeFile } from 'node:fs/promises';
import { join, posix, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchLimited, isArmoredKey, MAX_KEY_BYTES as maxKeyBytes } from '../kickstart/index.ts';

/** An OpenPGP public key, armored or binary (a public-key packet first, old or new format). */
function isPublicKey(bytes: Buffer): boolean {
  if (bytes.length === 0 || bytes.length > maxKeyBytes) return false;
  if (isArmoredKey(bytes.toString('latin1'))) return true;
  return [0x98, 0x99, 0xc6].includes(bytes[0]!);
}

const dataUrl = /^data:([^,]*?)(;base64)?,(.*)$/s;

function decodeDataUrl(value: string): Buffer | undefined {
  const match = dataUrl.exec(value);
  if (!match) return undefined;
  try {
    return match[2] ? Buffer.from(match[3]!, 'base64') : Buffer.from(decodeURIComponent(match[3]!), 'latin1');
  } catch {
    return undefined;
  }
}

function filePath(value: string): string | undefined {
  if (!value.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(value);
  } catch {
    return undefined;
  }
}

function insideFolder(path: string, folder: string): boolean {
  const base = folder.endsWith(sep) ? folder : `${folder}${sep}`;
  return path.startsWith(base);
}

/**
 * Why a --gpgkey value is refused, or undefined when it is acceptable. `keyDir` is the admin's key folder,
 * '' when none is configured.
 */
export function gpgKeyProblem(value: string, keyDir: string): string | undefined {
  if (/^https?:\/\/[^/]/.test(value)) return undefined;
  if (value.startsWith('data:')) {
    const key = decodeDataUrl(value);
    return key && isPublicKey(key)
      ? undefined
      : `--gpgkey: the data: URL holds no OpenPGP public key of at most ${maxKeyBytes} bytes`;
  }
  const path = filePath(value);
  if (path !== undefined) {
    if (keyDir !== '' && insideFolder(posix.normalize(path), posix.normalize(keyDir))) return undefined;
    return keyDir === ''
      ? `--gpgkey=${value}: keys are not read from the server's files (no key folder is configured); give an http(s) URL or the key itself`
      : `--gpgkey=${value}: only keys in the server's key folder ${keyDir} can be named by path`;
  }
  return `--gpgkey=${value}: expects an http(s) URL, a data: URL holding the key, or a file: URL in the server's key folder`;
}

async function keyBytes(value: string, keyDir: string, signal: AbortSignal): Promise<Buffer> {
  if (value.startsWith('data:')) return decodeDataUrl(value) ?? Buffer.alloc(0);
  const path = filePath(value);
  if (path !== undefined) {
    // Resolved, so a link in the key folder cannot point back out of it.
    const real = await realpath(path);
    if (!insideFolder(real, await realpath(keyDir))) throw new Error(`${value} leads out of ${keyDir}`);
    return readFile(real);
  }
  try {
    return await fetchLimited(value, maxKeyBytes, signal);
  } catch (error) {
    if (signal.aborted) throw error;
    throw new Error(`${value}: ${(error as Error).message}`);
  }
}

/**
 * Writes the key a --gpgkey value names into `dir` as NAME.asc (armored) or NAME.gpg (binary; apt tells the
 * two apart by the extension) and returns its path. The value must have passed gpgKeyProblem.
 */
export async function materializeKey(
  value: string,
  keyDir: string,
  dir: string,
  name: string,
  signal: AbortSignal,
): Promise<string> {
  const problem = gpgKeyProblem(value, keyDir);
  if (problem) throw new Error(problem);
  const bytes = await keyBytes(value, keyDir, signal);
  if (!isPublicKey(bytes)) throw new Error(`${value} is not an OpenPGP public key`);
  const armored = isArmoredKey(bytes.toString('latin1'));
  const file = join(dir, `${name}.${armored ? 'asc' : 'gpg'}`);
  await writeFile(file, bytes, { mode: 0o644 });
  return file;
}

// What sandboxed scripts leave in IMG_OUT_DIR (a folder of the work folder they may write) becomes part of
// the result only through here: trusted code on the host takes regular files and nothing else. A symlink,
// a device, a fifo, a hard link to a file elsewhere, a hidden name, a name an artifact already has: each
// is left behind with a line in the log, so a script can neither point the host at one of its files nor
// replace the image.
import { constants, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/**
 * Characters that break a line or a terminal: a name holding one would add lines to SHA256SUMS (a forged
 * checksum) and to the log.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this rule's purpose.
const lineBreaking = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/g;

/** A name as one log line can show it: line-breaking characters as \uXXXX. */
export function shown(name: string): string {
  return name.replace(lineBreaking, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Copies the regular files of `from` into `to`; returns the names taken, sorted. The copy stops with `signal`
 * (the step's timeout, a cancel): a script's file may be sparse and far larger than any disk, and a copy
 * nobody can stop would fill the output folder's disk for every user.
 */
export async function takeRegularFiles(
  from: string,
  to: string,
  taken: ReadonlySet<string>,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<string[]> {
  const names: string[] = [];
  for (const name of (await readdir(from)).sort()) {
    signal.throwIfAborted();
    const refuse = (why: string) => log(`IMG_OUT_DIR/${shown(name)}: not taken (${why})`);
    if (name.startsWith('.') || name.includes('/')) {
      refuse('a hidden name');
      continue;
    }
    if (shown(name) !== name) {
      refuse('a line break or control character in the name');
      continue;
    }
    if (taken.has(name)) {
      refuse('an artifact of the build has that name');
      continue;
    }
    // O_NOFOLLOW: a symlink fails to open instead of being followed; fstat then judges what was opened.
    const source = await open(
      join(from, name),
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
    ).catch(() => undefined);
    if (!source) {
      refuse('not a regular file');
      continue;
    }
    try {
      const info = await source.stat();
      if (!info.isFile()) {
        refuse('not a regular file');
        continue;
      }
      if (info.nlink !== 1) {
        refuse('a hard link');
        continue;
      }
      const target = await open(
        join(to, name),
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
        0o644,
      );
      try {
        await pipeline(source.createReadStream({ autoClose: false }), target.createWriteStream(), { signal });
      } catch (error) {
        await rm(join(to, name), { force: true });
        throw signal.aborted ? signal.reason : error;
      }
      names.push(name);
    } finally {
      await source.close();
    }
  }
  return names;
}

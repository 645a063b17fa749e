// The shared .deb cache, stored by content: `debs/by-sha256/<sha256>.deb`. Only the host writes it, and
// only files whose SHA-256 is the one the archive's signed index gives. apt takes a file already in its
// archive folder when the size matches, without checking the hash, so a cache a build could write (or one
// keyed by file name) would let one user's package script plant a trojaned bash_….deb in the next user's
// image.
import { createHash } from 'node:crypto';
import { constants, copyFile, link, lstat, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { DebFile } from './apt-closure.ts';

export function debStore(debsDir: string): string {
  return join(debsDir, 'by-sha256');
}

async function sha256Of(path: string): Promise<string> {
  const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  const hash = createHash('sha256');
  await pipeline(file.createReadStream(), hash);
  return hash.digest('hex');
}

/** A hard link where the two folders share a filesystem, else a copy. */
async function place(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to, constants.COPYFILE_EXCL);
  }
}

/**
 * Puts the stored files of the closure into `into` under apt's names; returns the ones the store lacks.
 */
export async function stageFromStore(debsDir: string, debs: DebFile[], into: string): Promise<DebFile[]> {
  const store = debStore(debsDir);
  await mkdir(into, { recursive: true });
  const missing: DebFile[] = [];
  for (const deb of debs) {
    const stored = join(store, `${deb.sha256}.deb`);
    const found = await lstat(stored).catch(() => undefined);
    if (found?.isFile() && found.size === deb.size) await place(stored, join(into, deb.file));
    else missing.push(deb);
  }
  return missing;
}

/**
 * Puts files importIntoStore has just checked and stored into `into` from the host-only folder they were
 * downloaded to, which usually shares the work folder's filesystem where the store does not.
 */
export async function stageDownloaded(from: string, debs: DebFile[], into: string): Promise<void> {
  for (const deb of debs) await place(join(from, deb.file), join(into, deb.file));
}

/**
 * Stores the files apt downloaded into `from` that have the hash of the closure: a file with another hash, a
 * link, anything not a regular file is left out. Returns the files that could not be stored.
 */
export async function importIntoStore(debsDir: string, debs: DebFile[], from: string): Promise<DebFile[]> {
  const store = debStore(debsDir);
  await mkdir(store, { recursive: true });
  const refused: DebFile[] = [];
  for (const deb of debs) {
    const path = join(from, deb.file);
    const found = await lstat(path).catch(() => undefined);
    if (!found?.isFile() || found.size !== deb.size || (await sha256Of(path)) !== deb.sha256) {
      refused.push(deb);
      continue;
    }
    const partial = join(store, `.${deb.sha256}.${process.pid}.partial`);
    await copyFile(path, partial);
    await rename(partial, join(store, `${deb.sha256}.deb`));
  }
  return refused;
}

/**
 * Removes the cache of earlier builders, which stored .debs by apt's file name and let mmdebstrap write them
 * back from inside the build: none of them can be trusted.
 */
export async function removeNameKeyedDebs(debsDir: string): Promise<void> {
  const names = await readdir(debsDir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.endsWith('.deb'))) await rm(join(debsDir, name), { force: true });
}

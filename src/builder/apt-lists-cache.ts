// The index files of the last `apt-get update` of each set of sources, so the next update of the same sources
// fetches only what changed (Debian's main Packages alone is 9 MB to fetch and decompress) instead of all.
//
// apt keeps an index file without fetching it again when the old and the new InRelease give it the same hash;
// it does not hash the file itself. So a seed must be exactly what one update left: each update stores a new
// generation folder, never changed afterwards, and `current` (a symbolic link, replaced atomically) names the
// newest; a reader copies from the generation it resolved. The InRelease files are always fetched again (their
// modification times are set back, so no If-Modified-Since answer can keep an old one: a server's clock has
// whole seconds, an archive can change twice in one) and verified against the sources' keys, which are part of
// the entry's key; an index whose hash the new InRelease changed is fetched again.
import { createHash } from 'node:crypto';
import {
  copyFile,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  utimes,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pruneCached, touchCached } from './cache.ts';

/** A generation older than this is no longer current and can go: a reader copies one within seconds. */
const generationLifetimeMs = 10 * 60_000;

/**
 * How many sets of sources keep their lists (each is ~20 MB with Debian's, and every user's repository beside
 * the host's makes one), besides any used within the hour.
 */
const keptEntries = 8;

/**
 * The folder of these sources' lists in the cache: keyed by the sources as apt reads them, each `signed-by`
 * keyring by the SHA-256 of its content (the file is the build's own copy, its path differs per build), and the
 * architecture.
 */
export async function listsEntry(
  cacheDir: string,
  { sourcesFile, debianArch }: { sourcesFile: string; debianArch: string },
): Promise<string> {
  const hash = createHash('sha256').update(`arch ${debianArch}\n`);
  for (const line of (await readFile(sourcesFile, 'utf8')).split('\n')) {
    const keyring = /signed-by=([^\s\]]+)/.exec(line)?.[1];
    const digest = keyring
      ? createHash('sha256')
          .update(await readFile(keyring))
          .digest('hex')
      : '';
    hash.update(`${line.replace(/signed-by=[^\s\]]+/, `signed-by=sha256:${digest}`)}\n`);
  }
  return join(cacheDir, hash.digest('hex'));
}

const releaseFile = /_(?:In)?Release$/;

/** The regular files of a lists folder (not apt's lock, partial/ or auxfiles/). */
export async function listFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for (const name of await readdir(dir)) {
    if (name !== 'lock' && (await lstat(join(dir, name))).isFile()) names.push(name);
  }
  return names;
}

/**
 * Copies the newest stored generation of these sources' lists into `into` (an empty lists folder); returns the
 * generation's folder, or undefined when there is none. A seed that fails half-way is removed again: apt then
 * starts from nothing, as without a cache.
 */
export async function seedLists(entry: string, into: string): Promise<string | undefined> {
  const generation = await readlink(join(entry, 'current')).catch(() => undefined);
  // Only a generation name of this entry: the cache is the builder's, but a link is not followed out of it.
  if (!generation || !/^gen-[\w.-]+$/.test(generation)) return undefined;
  const from = join(entry, generation);
  const copied: string[] = [];
  try {
    for (const name of await listFiles(from)) {
      await copyFile(join(from, name), join(into, name));
      copied.push(name);
      if (releaseFile.test(name)) await utimes(join(into, name), 0, 0);
    }
    await touchCached(entry);
    return from;
  } catch {
    for (const name of copied) await rm(join(into, name), { force: true });
    return undefined;
  }
}

/** Stores the lists an update just verified as these sources' newest generation; drops old generations. */
export async function storeLists(entry: string, from: string): Promise<void> {
  const generation = `gen-${Date.now()}-${process.pid}`;
  const partial = join(entry, `.${generation}.partial`);
  await mkdir(partial, { recursive: true });
  try {
    for (const name of await listFiles(from)) await copyFile(join(from, name), join(partial, name));
    await rename(partial, join(entry, generation));
    const link = join(entry, `.current.${process.pid}`);
    await rm(link, { force: true });
    await symlink(generation, link);
    // rename over the old link is atomic: a reader resolves either the old generation or the new one.
    await rename(link, join(entry, 'current'));
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  const now = Date.now();
  for (const name of await readdir(entry)) {
    if (name === generation || !name.startsWith('gen-')) continue;
    const made = (await stat(join(entry, name)).catch(() => undefined))?.mtimeMs ?? now;
    if (now - made > generationLifetimeMs) await rm(join(entry, name), { recursive: true, force: true });
  }
  // Best effort: another build may be pruning at the same time; a seed that loses its entry starts from nothing.
  await pruneCached(dirname(entry), '', keptEntries).catch(() => []);
}

import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { digestFile, type FileDigest, isFileDigest } from '../../builder/file-digest.ts';
import type { Artifact } from '../jobs/index.ts';

/** Digests the build child reported, by file name; each is checked, since it crossed a process boundary. */
export type KnownDigests = Readonly<Record<string, unknown>>;

/**
 * Every file the build left in the job's folder (dot files are staging leftovers and skipped, as the original
 * did), with its size and sha256; `main` marks the image the builder named. A file the builder hashed is not
 * read again, unless it changed since (post_creation may rewrite it).
 */
export async function collectArtifacts(
  folder: string,
  mainName: string | null,
  known: KnownDigests = {},
): Promise<Artifact[]> {
  const artifacts: Artifact[] = [];
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const name = relative(folder, path);
    if (name.split('/').some((part) => part.startsWith('.'))) continue;
    artifacts.push(await describeFile(folder, name, name === mainName, known[name]));
  }
  return artifacts.sort((a, b) => a.name.localeCompare(b.name));
}

/** One file of the job's folder as an artifact; `known`, the builder's digest of it, is used if still true. */
export async function describeFile(
  folder: string,
  name: string,
  main = false,
  known?: unknown,
): Promise<Artifact> {
  const path = join(folder, name);
  const { size, mtimeMs } = await stat(path);
  const unchanged = (digest: FileDigest) => digest.size === size && digest.mtimeMs === mtimeMs;
  const digest = isFileDigest(known) && unchanged(known) ? known : await digestFile(path);
  return { name, size, sha256: digest.sha256, main };
}

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Artifact } from '../jobs/index.ts';

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * Every file the build left in the job's folder (dot files are staging leftovers and skipped, as the original
 * did), with its size and sha256; `main` marks the image the builder named.
 */
export async function collectArtifacts(folder: string, mainName: string | null): Promise<Artifact[]> {
  const artifacts: Artifact[] = [];
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const name = relative(folder, path);
    if (name.split('/').some((part) => part.startsWith('.'))) continue;
    artifacts.push(await describeFile(folder, name, name === mainName));
  }
  return artifacts.sort((a, b) => a.name.localeCompare(b.name));
}

/** One file of the job's folder as an artifact. */
export async function describeFile(folder: string, name: string, main = false): Promise<Artifact> {
  const path = join(folder, name);
  const { size } = await stat(path);
  return { name, size, sha256: await sha256(path), main };
}

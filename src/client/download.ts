/**
 * Downloads a job's files into a folder, resuming a cut transfer with Range from its `.part` file, and checks
 * every file against the job's SHA256SUMS and the sizes and hashes the API lists. Node-only.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type ApiClient, ApiError, type Artifact } from './api-client.ts';

export interface DownloadProgress {
  file: string;
  /** Bytes on disk so far, including those kept from an earlier, interrupted try. */
  done: number;
  total: number;
}

export interface DownloadOptions {
  onStart?: (artifact: Artifact, resumedFrom: number) => void;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

export interface DownloadedFile {
  name: string;
  path: string;
  size: number;
  /** Bytes that were already there from an interrupted download; all of them when the file was complete. */
  resumedFrom: number;
}

export class ChecksumError extends Error {}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Every file of the job (or only the named ones), then SHA256SUMS checked against what came. */
export async function downloadJobFiles(
  client: ApiClient,
  jobId: string,
  folder: string,
  options: DownloadOptions & { only?: (artifact: Artifact) => boolean } = {},
): Promise<DownloadedFile[]> {
  const artifacts = (await client.files(jobId)).filter(options.only ?? (() => true));
  const downloaded: DownloadedFile[] = [];
  for (const artifact of artifacts)
    downloaded.push(await downloadArtifact(client, jobId, artifact, folder, options));
  await verifySha256Sums(folder, downloaded);
  return downloaded;
}

/** One file; an existing `.part` is continued with If-Range, so a file changed meanwhile is fetched whole again. */
export async function downloadArtifact(
  client: ApiClient,
  jobId: string,
  artifact: Artifact,
  folder: string,
  options: DownloadOptions = {},
): Promise<DownloadedFile> {
  const path = insideFolder(folder, artifact.name);
  await mkdir(dirname(path), { recursive: true });
  const existing = await stat(path).catch(() => null);
  if (existing?.size === artifact.size && (await sha256File(path)) === artifact.sha256) {
    options.onStart?.(artifact, artifact.size);
    return { name: artifact.name, path, size: artifact.size, resumedFrom: artifact.size };
  }
  const partial = `${path}.part`;
  const kept = (await stat(partial).catch(() => null))?.size ?? 0;
  const resumable = kept > 0 && kept < artifact.size;
  const response = await client.download(jobId, artifact.name, {
    headers: resumable ? { range: `bytes=${kept}-`, 'if-range': `"${artifact.sha256}"` } : {},
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const resumedFrom = resumable && response.status === 206 ? kept : 0;
  options.onStart?.(artifact, resumedFrom);
  if (!response.body) throw new ApiError(response.status, 'bad-response', `no body for ${artifact.name}`);
  // Each chunk is written before the next is read, so whatever arrived before a cut is on disk to resume from.
  const file = await open(partial, resumedFrom > 0 ? 'a' : 'w');
  let done = resumedFrom;
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      await file.write(chunk);
      done += chunk.length;
      options.onProgress?.({ file: artifact.name, done, total: artifact.size });
    }
  } finally {
    await file.close();
  }
  const hash = await sha256File(partial);
  if (hash !== artifact.sha256) {
    // Resuming from these bytes again would only repeat the error: the next try starts over.
    await rm(partial, { force: true });
    throw new ChecksumError(`${artifact.name}: sha256 is ${hash}, the server lists ${artifact.sha256}`);
  }
  await rename(partial, path);
  return { name: artifact.name, path, size: artifact.size, resumedFrom };
}

/** Each file SHA256SUMS names that was downloaded must hash to its line; files it does not name are not judged. */
export async function verifySha256Sums(folder: string, files: readonly DownloadedFile[]): Promise<void> {
  const sums = files.find((file) => file.name === 'SHA256SUMS' || file.name.endsWith('/SHA256SUMS'));
  if (!sums) return;
  const base = dirname(sums.path);
  const byPath = new Map(files.map((file) => [file.path, file]));
  for (const line of (await readFile(sums.path, 'utf8')).split('\n')) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (!match) continue;
    const [, expected, name = ''] = match;
    const path = resolve(base, name);
    if (!byPath.has(path)) continue;
    const actual = await sha256File(path);
    if (actual !== expected) {
      throw new ChecksumError(
        `${relative(folder, path)}: sha256 ${actual} differs from SHA256SUMS (${expected})`,
      );
    }
  }
}

function insideFolder(folder: string, name: string): string {
  const root = resolve(folder);
  const path = resolve(root, name);
  if (!path.startsWith(root + sep)) throw new ApiError(0, 'bad-response', `refusing file name ${name}`);
  return path;
}

// The one owner of a job's files: builds write into the folder it hands out, workers' uploads and log chunks
// arrive through it, the API serves from it and whoever removes a job deletes through it. Nothing else joins
// paths under base_dir, so a store elsewhere (a shared or object store) replaces this file, not its users.
import { constants } from 'node:fs';
import { type FileHandle, link, lstat, mkdir, open, readdir, readlink, realpath, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { digestFile, isFileDigest } from '../../builder/file-digest.ts';
import { fileNameProblem, type ReceiveOptions, receiveFile, writeLogChunk } from './file-writes.ts';
import { logFileName } from './paths.ts';
import type { Artifact, Job } from './types.ts';

/** A file of a job as the job recorded it, to be shared with another. */
export type SharedFile = Pick<Artifact, 'name' | 'size' | 'sha256'>;

/** What names a job's files: its folder and its log. */
export type JobFilesKey = Pick<Job, 'id' | 'queue' | 'owner' | 'name'>;

/** The digests a build child reported, by file name; each is checked, since it crossed a process boundary. */
export type KnownDigests = Readonly<Record<string, unknown>>;

/** One file opened for reading: it stays the file that was checked, whatever happens to its name meanwhile. */
export interface StoredFile {
  readonly name: string;
  readonly size: number;
  readonly modified: Date;
  /** Its bytes from `start` to `end` (inclusive), or all; the file closes when the stream ends or is destroyed. */
  stream(range?: { start: number; end: number }): Readable;
  /** Closes the file when no stream was taken (a 304, an error before the body). */
  close(): Promise<void>;
}

export interface ArtifactStore {
  /**
   * Where a build of the job writes, made if missing: the builder stages its files in a hidden folder there and
   * moves them in only when the whole build succeeded; the worker writes the live log there. A store that is not
   * a local folder would hand out a local one here and take its files in `list`.
   */
  workFolder(job: JobFilesKey): Promise<string>;
  /**
   * The job's files as artifacts, sorted by name: regular files only (no symbolic link, no dot file). A digest
   * the builder reported is used while the file is unchanged since, so an image is hashed once, where it is made.
   */
  list(job: JobFilesKey, built?: { main: string | null; digests: KnownDigests }): Promise<Artifact[]>;
  /** One file as an artifact (hashed here); null when it is not a regular file of the job's folder. */
  describe(job: JobFilesKey, name: string): Promise<Artifact | null>;
  /** Stores a file sent from elsewhere (a worker's upload), kept only when whole and matching its sha256. */
  receive(job: JobFilesKey, name: string, body: Readable, options: ReceiveOptions): Promise<Artifact>;
  /** Writes a chunk of the live log at `offset` (see writeLogChunk); answers the log's new size. */
  writeLog(job: JobFilesKey, offset: number, chunk: Buffer): Promise<number>;
  /** A file of the job, opened for serving; null when it is not there or is not a regular file inside its folder. */
  open(job: JobFilesKey, name: string): Promise<StoredFile | null>;
  /**
   * Gives `to` these files of `from` without copying them: hard links, so the files are stored once, and
   * deleting either job leaves the other's files whole. Only regular files inside `from`'s folder that still hold
   * what `from` recorded (size and SHA-256, checked through the link) are linked; false (with nothing left behind
   * in `to`) when one of them is gone, is not one, or was changed since.
   */
  share(from: JobFilesKey, to: JobFilesKey, files: readonly SharedFile[]): Promise<boolean>;
  /** Deletes every file of the job; links in its folder are removed, never followed. */
  remove(job: JobFilesKey): Promise<void>;
}

/** Reads of up to 1 MiB: at 64 KiB a 1 GiB download kept the event loop busy ~3 s (bench/download.bench.ts). */
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * `<base_dir>/<queue>/<owner>/<id>/`, the original's layout. Exported for tests and benches that stand in for a
 * worker or look at the disk; the service reaches it only through the store.
 */
export function localJobFolder(baseDir: string, job: Pick<JobFilesKey, 'queue' | 'owner' | 'id'>): string {
  for (const part of [job.queue, job.owner, job.id]) {
    if (part.includes('/') || fileNameProblem(part)) throw new Error(`"${part}" cannot name a job's folder`);
  }
  return join(baseDir, job.queue, job.owner, job.id);
}

/** The store over `<base_dir>/<queue>/<owner>/<id>/`, the original's layout, for base_dir on a local or NFS disk. */
export function createLocalArtifactStore(baseDir: string): ArtifactStore {
  const folderOf = (job: JobFilesKey) => localJobFolder(baseDir, job);
  /** The job's folder as it really is; null when missing or a link (planted there, it could point anywhere). */
  const realFolder = async (job: JobFilesKey) => {
    const folder = folderOf(job);
    const info = await lstat(folder).catch(() => null);
    return info?.isDirectory() ? realpath(folder) : null;
  };
  const openIn = async (job: JobFilesKey, name: string) => {
    const root = await realFolder(job);
    return root === null ? null : openInside(root, name);
  };

  return {
    async workFolder(job) {
      const folder = folderOf(job);
      await mkdir(folder, { recursive: true });
      return folder;
    },

    async list(job, built) {
      const folder = await realFolder(job);
      if (folder === null) return [];
      const entries = await readdir(folder, { recursive: true, withFileTypes: true });
      const artifacts: Artifact[] = [];
      for (const entry of entries) {
        // A Dirent describes the link, not its target: a symbolic link is never a file here.
        if (!entry.isFile()) continue;
        const name = relative(folder, join(entry.parentPath, entry.name));
        if (fileNameProblem(name)) continue;
        const artifact = await describeIn(
          await openIn(job, name),
          name === built?.main,
          built?.digests[name],
        );
        if (artifact) artifacts.push(artifact);
      }
      return artifacts.sort((a, b) => a.name.localeCompare(b.name));
    },

    async describe(job, name) {
      return describeIn(await openIn(job, name), false);
    },

    async receive(job, name, body, options) {
      const stored = await receiveFile(body, folderOf(job), name, options);
      return { name, ...stored, main: false };
    },

    writeLog(job, offset, chunk) {
      return writeLogChunk(join(folderOf(job), logFileName(job)), offset, chunk);
    },

    open: openIn,

    async share(from, to, files) {
      const source = await realFolder(from);
      const target = await this.workFolder(to);
      if (source === null) return false;
      const linked: string[] = [];
      try {
        for (const { name, size, sha256 } of files) {
          if (fileNameProblem(name)) return false;
          const path = join(source, name);
          // link() does not follow a symbolic link at the end; realpath shows one on the way out of the folder.
          const info = await lstat(path).catch(() => null);
          if (!info?.isFile() || !(await realpath(path)).startsWith(source + sep)) return false;
          const into = join(target, name);
          await mkdir(dirname(into), { recursive: true });
          await rm(into, { force: true });
          await link(path, into);
          linked.push(into);
          // Read through the new link, the bytes the sharer will serve: a file replaced or rewritten since its
          // job was DONE is not the image of the key, whatever the job's record says.
          const now = await describeIn(await openIn(to, name), false);
          if (now?.size !== size || now.sha256 !== sha256) return false;
        }
        linked.length = 0;
        return true;
      } finally {
        for (const path of linked) await rm(path, { force: true });
      }
    },

    async remove(job) {
      const folder = folderOf(job);
      const info = await lstat(folder).catch(() => null);
      if (!info) return;
      // rm does not follow the links inside; a job folder that is itself a link loses the link only.
      await rm(folder, { recursive: info.isDirectory(), force: true });
    },
  };
}

/**
 * Opens `name` under the real folder `root` without following a link at its end (O_NOFOLLOW), then asks the
 * kernel where the opened file is: a link or a renamed folder on the way cannot carry the read out of `root`.
 */
async function openInside(root: string, name: string): Promise<OpenedFile | null> {
  if (fileNameProblem(name)) return null;
  const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  const handle = await open(join(root, name), flags).catch(() => null);
  if (!handle) return null;
  try {
    const where = await readlink(`/proc/self/fd/${handle.fd}`);
    const info = await handle.stat();
    if (!info.isFile() || !where.startsWith(root + sep)) {
      await handle.close();
      return null;
    }
    return storedFile(handle, name, info.size, info.mtime, info.mtimeMs);
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The descriptor lets the store hash the very file it checked. */
type OpenedFile = StoredFile & { readonly fd: number; readonly mtimeMs: number };

function storedFile(
  handle: FileHandle,
  name: string,
  size: number,
  modified: Date,
  mtimeMs: number,
): OpenedFile {
  let taken = false;
  return {
    name,
    size,
    modified,
    mtimeMs,
    fd: handle.fd,
    stream(range) {
      taken = true;
      return handle.createReadStream({ ...range, highWaterMark: READ_CHUNK_BYTES, autoClose: true });
    },
    async close() {
      if (!taken) await handle.close();
    },
  };
}

/** The artifact of an opened file: the builder's digest while true, else hashed here, through the open file. */
async function describeIn(file: OpenedFile | null, main: boolean, known?: unknown): Promise<Artifact | null> {
  if (!file) return null;
  try {
    const fresh = isFileDigest(known) && known.size === file.size && known.mtimeMs === file.mtimeMs;
    const digest = fresh ? known : await digestFile({ fd: file.fd });
    return { name: file.name, size: file.size, sha256: digest.sha256, main };
  } finally {
    await file.close();
  }
}

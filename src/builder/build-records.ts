// Which process owns which build folders. A build killed with SIGKILL (or its worker with it) runs no cleanup,
// so its work folder, its staging folder and whatever was mounted or attached under them stay; a record made
// before the folders, naming them and their owner (host, boot, PID and the PID's start time, so a recycled PID
// is not taken for the owner), lets a worker starting later on this host tell what a dead build left from what
// a live build (of this worker or of another on the same host) still uses.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export interface BuildOwner {
  host: string;
  boot: string;
  pid: number;
  /** Field 22 of /proc/PID/stat: clock ticks since boot when the process started. */
  start: string;
}

export interface BuildRecord {
  owner: BuildOwner;
  /** Made after the record, removed before it: a record may name a folder that does not exist (yet or any more). */
  folders: string[];
}

/** The records of the builds using a cache folder: root's, beside the cache the same builds share. */
export function buildRecordsDir(cacheDir: string): string {
  return join(cacheDir, 'builds');
}

/** Only folders the builders make are ever removed through a record: `imger-*` and `.imger-*`. */
const buildFolderName = /^\.?imger-[A-Za-z0-9._+-]+$/;

/** When a running process started; undefined once it has exited (a zombie, not yet reaped, has exited). */
export async function processStart(pid: number): Promise<string | undefined> {
  try {
    // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ').pop()?.split(' ') ?? [];
    // After the name: state (field 3), …, starttime (field 22 of the whole line, 20th here).
    return fields[0] === 'Z' || fields[0] === 'X' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

async function bootId(): Promise<string> {
  return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
}

async function thisProcess(): Promise<BuildOwner> {
  const start = await processStart(process.pid);
  if (start === undefined) throw new Error('cannot read this process in /proc');
  return { host: hostname(), boot: await bootId(), pid: process.pid, start };
}

/**
 * Records folders about to be made as this process's; resolves to the record's removal, which the build calls
 * once the folders are gone.
 */
export async function recordBuild(recordsDir: string, folders: string[]): Promise<() => Promise<void>> {
  for (const folder of folders) {
    if (!buildFolderName.test(basename(folder))) throw new Error(`not a build folder name: ${folder}`);
  }
  await mkdir(recordsDir, { recursive: true, mode: 0o700 });
  const file = join(recordsDir, `${randomBytes(8).toString('hex')}.json`);
  const record: BuildRecord = { owner: await thisProcess(), folders };
  // Written whole or not at all: a record cut short would hide its folders from every later worker.
  await writeFile(`${file}.part`, JSON.stringify(record), { mode: 0o600 });
  await rename(`${file}.part`, file);
  return () => rm(file, { force: true });
}

/**
 * A temporary folder `<tmp>/<prefix><random>` recorded as a build's (the record first, then the folder), so
 * that a worker's start removes it once its owner is gone, whatever killed it; `remove` takes both away.
 */
export async function recordedTempFolder(
  recordsDir: string,
  prefix: string,
): Promise<{ path: string; remove(): Promise<void> }> {
  const path = join(tmpdir(), `${prefix}${randomBytes(6).toString('hex')}`);
  const release = await recordBuild(recordsDir, [path]);
  await mkdir(path, { mode: 0o700 });
  return {
    path,
    async remove() {
      await rm(path, { recursive: true, force: true });
      await release();
    },
  };
}

function isRecord(value: unknown): value is BuildRecord {
  const record = value as Partial<BuildRecord> | null;
  const owner = record?.owner as Partial<BuildOwner> | undefined;
  return (
    typeof owner?.host === 'string' &&
    typeof owner.boot === 'string' &&
    Number.isInteger(owner.pid) &&
    typeof owner.start === 'string' &&
    Array.isArray(record?.folders) &&
    record.folders.every(
      (folder) =>
        typeof folder === 'string' && folder.startsWith('/') && buildFolderName.test(basename(folder)),
    )
  );
}

/** A record of another host (a cache folder on shared storage) is never this host's to judge. */
async function ownedElsewhereOrAlive(owner: BuildOwner): Promise<boolean> {
  if (owner.host !== hostname()) return true;
  if (owner.boot !== (await bootId())) return false;
  return (await processStart(owner.pid)) === owner.start;
}

export interface Leftover {
  folders: string[];
  owner: BuildOwner;
}

/**
 * The records whose owner is gone, each with its folders, and the record files themselves (a record that cannot
 * be read holds nothing anyone can use: it counts as a leftover without folders).
 */
export async function deadRecords(recordsDir: string): Promise<(Leftover & { file: string })[]> {
  let names: string[];
  try {
    names = await readdir(recordsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const dead: (Leftover & { file: string })[] = [];
  for (const name of names) {
    const file = join(recordsDir, name);
    // A .part file is a record still being written, before any of its folders is made.
    if (!name.endsWith('.json')) continue;
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      value = undefined;
    }
    if (!isRecord(value)) {
      dead.push({ file, folders: [], owner: { host: '', boot: '', pid: 0, start: '' } });
      continue;
    }
    if (!(await ownedElsewhereOrAlive(value.owner))) dead.push({ file, ...value });
  }
  return dead;
}

// The temporary places of one build and their removal: nothing may be left behind, and a removal must never
// walk into a mount (a leaked bind of /dev or /proc would turn rm -rf into damage to the host).

import { randomBytes } from 'node:crypto';
import {
  chmod,
  chown,
  mkdir,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  statfs,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { recordBuild } from './build-records.ts';
import { run, userNetwork } from './exec.ts';
import { BuildFailure } from './failures.ts';
import { safeFileName } from './paths.ts';
import { type SandboxPlaces, sandboxResolvConf } from './sandbox.ts';

/** Mount points at or below dir, deepest first, from the kernel's own table. */
export async function mountsBelow(dir: string): Promise<string[]> {
  const table = await readFile('/proc/self/mountinfo', 'utf8');
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return table
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    .map((point) => point.replace(/\\040/g, ' '))
    .filter((point) => point === dir || point.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

const RAM_FOLDER = '/dev/shm';
/**
 * What RAM must be free, both in RAM_FOLDER and available to the machine, before work folders go there: a build
 * holds its image root and its filesystem image at once (about 2 GiB for a minimal bootable image, 4 times that
 * for a desktop live image).
 */
const RAM_WORK_MIN_BYTES = 16 * 2 ** 30;

/**
 * Where the builds' work folders go when the caller does not say: TMPDIR when it is set (an admin's choice),
 * else ramFolder when it is a tmpfs that allows devices and programs and has RAM_WORK_MIN_BYTES, and what this
 * build needs (neededBytes), to spare both in itself and in the machine's memory, else the system's temporary
 * folder. The image root is tens of thousands of small files, which a disk filesystem can write many times slower
 * than tmpfs (unpacking the cached minimal root here: 1.0 s in tmpfs, 12.3 s on ext4).
 */
export async function defaultWorkRoot(neededBytes = 0, ramFolder = RAM_FOLDER): Promise<string> {
  if (process.env.TMPDIR) return tmpdir();
  const [mounts, memory, space] = await Promise.all([
    readFile('/proc/self/mountinfo', 'utf8'),
    readFile('/proc/meminfo', 'utf8'),
    statfs(ramFolder).catch(() => null),
  ]);
  // The last line for a mount point is the mount on top, the one in use.
  const mount = mounts
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => fields[4] === ramFolder)
    .at(-1);
  const fsType = mount?.[mount.indexOf('-') + 1];
  const options = mount?.[5]?.split(',') ?? [];
  const available = Number(/^MemAvailable:\s+(\d+) kB$/m.exec(memory)?.[1] ?? 0) * 1024;
  const wanted = Math.max(RAM_WORK_MIN_BYTES, neededBytes);
  const usable =
    fsType === 'tmpfs' &&
    !options.includes('nodev') &&
    !options.includes('noexec') &&
    space !== null &&
    space.bavail * space.bsize >= wanted &&
    available >= wanted;
  return usable ? ramFolder : tmpdir();
}

/** Loop devices whose backing file lies below dir, from the kernel's own view (/sys/block/loop*). */
export async function loopsBackedBelow(dir: string): Promise<string[]> {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const loops: string[] = [];
  for (const device of await readdir('/sys/block')) {
    if (!/^loop\d+$/.test(device)) continue;
    const backing = await readFile(`/sys/block/${device}/loop/backing_file`, 'utf8').catch(() => '');
    // A deleted backing file reads as "PATH (deleted)".
    if (
      backing
        .trim()
        .replace(/ \(deleted\)$/, '')
        .startsWith(prefix)
    )
      loops.push(`/dev/${device}`);
  }
  return loops;
}

/**
 * Removes a build's folder: its mounts first (deepest first, lazily, so a busy one cannot stop the rest), then
 * the loop devices backed by its files (one still in use is only marked to go when released), then the files.
 */
export async function removeTree(dir: string): Promise<void> {
  for (const point of await mountsBelow(dir)) await run('umount', ['--lazy', point]);
  if ((await mountsBelow(dir)).length > 0) throw new Error(`${dir} still has mounts; not removing it`);
  for (const loop of await loopsBackedBelow(dir)) await run('losetup', ['--detach', loop]);
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * Processes of this host whose working folder, root or an open file lies at or below dir, other than this one:
 * what a build killed with SIGKILL left running (its commands live in process groups of their own).
 */
export async function processesUsing(dir: string): Promise<number[]> {
  const prefix = `${dir}/`;
  const inside = (path: string) => path === dir || path.startsWith(prefix);
  const users: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const links = [`/proc/${pid}/cwd`, `/proc/${pid}/root`];
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
    links.push(...fds.map((fd) => `/proc/${pid}/fd/${fd}`));
    for (const link of links) {
      const target = await readlink(link).catch(() => '');
      if (inside(target.replace(/ \(deleted\)$/, ''))) {
        users.push(pid);
        break;
      }
    }
  }
  return users;
}

export interface BuildFolders {
  /** Host scratch and the sandboxes' folders, in the work root. */
  workDir: string;
  /** Where the artifacts are staged, hidden in the output folder. */
  stageDir: string;
  /** Removes both (mounts and loop devices under them included), then their record. */
  remove(): Promise<void>;
}

/**
 * The work folder and the staging folder of one build, recorded as this process's before they are made
 * (build-records.ts), so that what a build killed with SIGKILL leaves is found and removed by the next worker.
 */
export async function makeBuildFolders(options: {
  recordsDir: string;
  workRoot: string;
  outputDir: string;
  /** Part of the staging folder's name, for whoever looks into the output folder. */
  name: string;
  /** The backend's mark on its work folders' names (`imger-mic-` for mic's); `imger-` by default. */
  workPrefix?: `imger-${string}`;
}): Promise<BuildFolders> {
  const id = randomBytes(6).toString('hex');
  const label = safeFileName.test(options.name) ? `${options.name}-` : '';
  const workDir = join(options.workRoot, `${options.workPrefix ?? 'imger-'}${id}`);
  const stageDir = join(options.outputDir, `.imger-${label}${id}`);
  const release = await recordBuild(options.recordsDir, [workDir, stageDir]);
  const remove = async (): Promise<void> => {
    await removeTree(stageDir);
    await removeTree(workDir);
    await release();
  };
  try {
    await mkdir(workDir, { mode: 0o700 });
    await mkdir(stageDir, { mode: 0o700 });
  } catch (error) {
    await remove();
    throw error;
  }
  return { workDir, stageDir, remove };
}

interface SpaceNeed {
  path: string;
  bytes: number;
  what: string;
}

/**
 * Refuses to start a build that would run out of disk space half way. Needs of folders on one filesystem add up:
 * each is checked against the free space with the needs before it on the same filesystem.
 */
export async function checkFreeSpace(needs: SpaceNeed[]): Promise<void> {
  const claimed = new Map<number, number>();
  for (const need of needs) {
    const [stats, { dev }] = await Promise.all([statfs(need.path), stat(need.path)]);
    const before = claimed.get(dev) ?? 0;
    claimed.set(dev, before + need.bytes);
    const free = stats.bavail * stats.bsize - before;
    if (free < need.bytes) {
      const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(2);
      throw new BuildFailure(
        'out-of-space',
        'resolve',
        `not enough free space for the ${need.what} in ${need.path}: ${gib(free)} GiB free of ${gib(stats.blocks * stats.bsize)} GiB, ${gib(need.bytes)} GiB needed`,
      );
    }
  }
}

/**
 * A path that bubblewrap, which starts as the unprivileged host uid idBase, cannot reach: the first folder on
 * the way that is neither world-traversable nor owned by idBase. Binding by file descriptor is no way around
 * it (bubblewrap refuses), so the sandboxes' folders must lie in a place every user can traverse.
 */
export async function unreachableBy(path: string, idBase: number): Promise<string | undefined> {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const info = await stat(dir);
    if (!(info.mode & 0o001) && info.uid !== idBase) return dir;
    if (dir === '/') return undefined;
  }
}

/**
 * The folders of the work folder the sandboxes see (SandboxPlaces): the ones they write belong to the
 * namespace's root (idBase); the host's inputs, and the work folder itself, stay root's, so nothing inside a
 * sandbox can put a symlink where the host later looks.
 */
export async function prepareSandboxPlaces(workDir: string, idBase: number): Promise<SandboxPlaces> {
  const places: SandboxPlaces = {
    idBase,
    root: join(workDir, 'root'),
    inputs: join(workDir, 'inputs'),
    out: join(workDir, 'out'),
    images: join(workDir, 'images'),
  };
  const blocked = await unreachableBy(workDir, idBase);
  if (blocked) {
    throw new BuildFailure(
      'internal',
      'resolve',
      `the sandbox (host uid ${idBase}) cannot reach the work folder ${workDir}: ${blocked} is not world-traversable; give the builder a work root every user can traverse`,
    );
  }
  // Traversable, not listable: the sandbox reaches its own folders and sees nothing else of the work folder.
  await chmod(workDir, 0o711);
  await mkdir(places.inputs, { mode: 0o755 });
  // The DNS of a sandbox with a network: slirp4netns' forwarder.
  await writeFile(join(places.inputs, sandboxResolvConf), `nameserver ${userNetwork.dns}\n`);
  for (const owned of [places.root, places.out, places.images]) {
    await mkdir(owned, { mode: 0o755 });
    await chown(owned, idBase, idBase);
  }
  return places;
}

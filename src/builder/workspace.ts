// The temporary places of one build and their removal: nothing may be left behind, and a removal must never
// walk into a mount (a leaked bind of /dev or /proc would turn rm -rf into damage to the host).
import { chmod, chown, mkdir, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run, userNetwork } from './exec.ts';
import { BuildFailure } from './failures.ts';
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
 * else RAM_FOLDER when it is a tmpfs that allows devices and programs and has RAM_WORK_MIN_BYTES to spare, else
 * the system's temporary folder. The image root is tens of thousands of small files, which a disk filesystem can
 * write many times slower than tmpfs (unpacking the cached minimal root here: 1.0 s in tmpfs, 12.3 s on ext4).
 */
export async function defaultWorkRoot(): Promise<string> {
  if (process.env.TMPDIR) return tmpdir();
  const [mounts, memory, space] = await Promise.all([
    readFile('/proc/self/mountinfo', 'utf8'),
    readFile('/proc/meminfo', 'utf8'),
    statfs(RAM_FOLDER).catch(() => null),
  ]);
  // The last line for a mount point is the mount on top, the one in use.
  const mount = mounts
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => fields[4] === RAM_FOLDER)
    .at(-1);
  const fsType = mount?.[mount.indexOf('-') + 1];
  const options = mount?.[5]?.split(',') ?? [];
  const available = Number(/^MemAvailable:\s+(\d+) kB$/m.exec(memory)?.[1] ?? 0) * 1024;
  const usable =
    fsType === 'tmpfs' &&
    !options.includes('nodev') &&
    !options.includes('noexec') &&
    space !== null &&
    space.bavail * space.bsize >= RAM_WORK_MIN_BYTES &&
    available >= RAM_WORK_MIN_BYTES;
  return usable ? RAM_FOLDER : tmpdir();
}

export async function removeTree(dir: string): Promise<void> {
  for (const point of await mountsBelow(dir)) await run('umount', ['--lazy', point]);
  if ((await mountsBelow(dir)).length > 0) throw new Error(`${dir} still has mounts; not removing it`);
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

export interface SpaceNeed {
  path: string;
  bytes: number;
  what: string;
}

/** Refuses to start a build that would run out of disk space half way. */
export async function checkFreeSpace(needs: SpaceNeed[]): Promise<void> {
  for (const need of needs) {
    const stats = await statfs(need.path);
    const free = stats.bavail * stats.bsize;
    if (free < need.bytes) {
      const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(1);
      throw new BuildFailure(
        'out-of-space',
        'resolve',
        `not enough free space for the ${need.what} in ${need.path}: ${gib(free)} GiB free, ${gib(need.bytes)} GiB needed`,
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

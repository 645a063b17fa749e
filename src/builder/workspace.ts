// The temporary places of one build and their removal: nothing may be left behind, and a removal must never
// walk into a mount (a leaked bind of /dev or /proc would turn rm -rf into damage to the host).
import { readFile, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { run } from './exec.ts';
import { BuildFailure } from './failures.ts';

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

// The temporary places of one build and their removal: nothing may be left behind, and a removal must never
// walk into a mount (a leaked bind of /dev or /proc would turn rm -rf into damage to the host).
import { readFile, rm, statfs } from 'node:fs/promises';
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

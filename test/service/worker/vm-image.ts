// The VM image the VM tests (and bench/vm-build.bench.ts) build in: made once per template, in the cache the
// builder tests share (IMGER_TEST_CACHE), so only the first run after a change of the template pays for it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildVmImage, VM_TEMPLATE } from '../../../src/service/worker/vm/vm-image.ts';

export const testCacheDir = process.env.IMGER_TEST_CACHE ?? '/var/cache/imger';

let made: Promise<string> | undefined;

export function testVmImage(): Promise<string> {
  made ??= make();
  return made;
}

async function make(): Promise<string> {
  const key = createHash('sha256')
    .update(await readFile(VM_TEMPLATE))
    .digest('hex')
    .slice(0, 16);
  const folder = join(testCacheDir, 'vm-images');
  const path = join(folder, `build-vm-${key}.img`);
  if (existsSync(path)) return path;
  await mkdir(folder, { recursive: true });
  // Images of earlier templates go: each is a sparse 8 GiB file with about 800 MiB in it.
  for (const name of await readdir(folder)) await rm(join(folder, name), { recursive: true, force: true });
  const outcome = await buildVmImage({ output: path, cacheDir: testCacheDir });
  if (!outcome.ok) throw new Error(`the test VM image could not be built: ${outcome.failure.message}`);
  return path;
}

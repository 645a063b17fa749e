/**
 * Hashing a sparse 1.5 GiB disk image, as the builder's checksum step does with a raw image: the builder's
 * digestFile (4 MiB reads in a worker thread) and the worker's former way (a Node read stream of default 64 KiB
 * chunks piped into the hash on the event loop), each against `sha256sum` on the same file in the same run.
 * The goal: digestFile within 1.1 × sha256sum.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { digestFile } from '../src/builder/file-digest.ts';

const GOAL = 1.1;
const SIZE = 1.5 * 2 ** 30;
const ROUNDS = 3;

/** Shaped like a fresh disk image: data at the start (partition table, filesystems), a hole elsewhere. */
async function sparseImage(path: string): Promise<void> {
  const file = await open(path, 'w');
  const block = randomBytes(4 * 2 ** 20);
  // 400 MiB of data in 4 places, the rest holes.
  for (const start of [0, 256, 700, 1200]) {
    for (let i = 0; i < 25; i += 1) await file.write(block, 0, block.length, (start + i * 4) * 2 ** 20);
  }
  await file.truncate(SIZE);
  await file.close();
}

async function streamed(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

async function median(what: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    const started = performance.now();
    await what();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)] ?? 0;
}

const dir = await mkdtemp(join(process.env.IMGER_BENCH_DIR ?? '/var/tmp', 'imger-hash-bench-'));
try {
  const image = join(dir, 'disk.raw');
  await sparseImage(image);
  const sha256sum = () => execFileSync('sha256sum', [image], { encoding: 'utf8' }).split(' ')[0];
  const expected = sha256sum();
  if ((await digestFile(image)).sha256 !== expected || (await streamed(image)) !== expected) {
    throw new Error('the digests differ');
  }
  const baseline = await median(sha256sum);
  const threaded = await median(() => digestFile(image));
  const stream = await median(() => streamed(image));
  const ms = (value: number) => `${Math.round(value)} ms`;
  console.log(`sparse 1.5 GiB image (400 MiB data), median of ${ROUNDS}, file in ${dir}:`);
  console.log(`  sha256sum (baseline)        ${ms(baseline)}`);
  console.log(`  digestFile (4 MiB, thread)  ${ms(threaded)}  ratio ${(threaded / baseline).toFixed(2)}`);
  console.log(
    `  read stream (64 KiB, loop)  ${ms(stream)}  ratio ${(stream / baseline).toFixed(2)} (before)`,
  );
  console.log(`  goal: digestFile ≤ ${GOAL} × sha256sum: ${threaded / baseline <= GOAL ? 'met' : 'NOT met'}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}

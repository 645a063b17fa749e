/**
 * Raw build times of the minimal template (templates/debian-minimal.ks, through the resolve step): cold (empty cache: mmdebstrap runs) and warm (the base root comes
 * from the cache), and the warm build against the same steps as a plain shell script (raw-build-steps.sh)
 * in the same run, so the ratio holds on any machine. Goals: warm under 15 s, ratio at most 1.05.
 * IMGER_BENCH_CACHE keeps the cache between runs (then "cold" is only cold the first time).
 */
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createNativeBuilder } from '../src/builder/builder.ts';
import { run } from '../src/builder/exec.ts';
import { resolveKickstart } from '../src/builder/from-kickstart.ts';
import { defaultWorkRoot } from '../src/builder/workspace.ts';

const ROUNDS = 3;
const template = await readFile(resolve(import.meta.dirname, '../templates/debian-minimal.ks'), 'utf8');
const WARM_GOAL_S = 15;
const RATIO_GOAL = 1.05;

const scratch = await mkdtemp(join(tmpdir(), 'imger-bench-'));
const cacheDir = process.env.IMGER_BENCH_CACHE ?? join(scratch, 'cache');
// Builder and script work in the same place, the builder's default (RAM when there is plenty), so only the steps
// differ.
const workRoot = await mkdtemp(join(await defaultWorkRoot(), 'imger-bench-'));
// The builder's sandbox (an unprivileged uid) must be able to traverse it.
await chmod(workRoot, 0o755);
const builder = createNativeBuilder({ cacheDir, workRoot });

async function builderRun(
  round: string,
): Promise<{ seconds: number; tarball: string; rootMiB: number | undefined }> {
  const outputDir = join(scratch, `out-${round}`);
  const { recipe } = await resolveKickstart(
    { kickstart: template, type: 'raw', arch: 'x86_64', name: 'minimal', outputDir },
    AbortSignal.timeout(60_000),
  );
  const outcome = await builder.build({ recipe });
  if (!outcome.ok) throw new Error(`build failed: ${JSON.stringify(outcome.failure)}`);
  const log = await readFile(join(outputDir, 'minimal.log'), 'utf8');
  const key = /base root key ([0-9a-f]{64})/.exec(log)?.[1];
  await rm(outputDir, { recursive: true, force: true });
  const root = recipe.partitions.find((part) => part.mountpoint === '/');
  return {
    seconds: outcome.ms / 1000,
    tarball: join(cacheDir, 'roots', `${key}.tar.zst`),
    rootMiB: root?.grow ? undefined : root?.sizeMiB,
  };
}

async function shellRun(
  round: string,
  cold: { tarball: string; rootMiB: number | undefined },
): Promise<number> {
  const script = resolve(import.meta.dirname, 'raw-build-steps.sh');
  const outputDir = join(scratch, `shell-out-${round}`);
  const result = await run('bash', [
    script,
    cold.tarball,
    join(workRoot, `shell-work-${round}`),
    outputDir,
    'minimal',
    ...(cold.rootMiB === undefined ? [] : [String(cold.rootMiB)]),
  ]);
  await rm(outputDir, { recursive: true, force: true });
  return result.ms / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

try {
  const cold = await builderRun('cold');
  const warm: number[] = [];
  const shell: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    warm.push((await builderRun(`warm-${round}`)).seconds);
    shell.push(await shellRun(`${round}`, cold));
  }
  const ratio = median(warm) / median(shell);
  console.log(`raw build, minimal image (${ROUNDS} warm rounds, medians; work folders in ${workRoot})`);
  console.log(`  cold builder:       ${cold.seconds.toFixed(1)} s`);
  console.log(
    `  warm builder:       ${median(warm).toFixed(1)} s  (${warm.map((s) => s.toFixed(1)).join(', ')})`,
  );
  console.log(
    `  warm shell script:  ${median(shell).toFixed(1)} s  (${shell.map((s) => s.toFixed(1)).join(', ')})`,
  );
  console.log(`  ratio builder/shell: ${ratio.toFixed(2)}`);
  console.log(`  warm goal < ${WARM_GOAL_S} s: ${median(warm) < WARM_GOAL_S ? 'met' : 'NOT met'}`);
  console.log(`  ratio goal <= ${RATIO_GOAL}: ${ratio <= RATIO_GOAL ? 'met' : 'NOT met'}`);
} finally {
  await rm(scratch, { recursive: true, force: true });
  await rm(workRoot, { recursive: true, force: true });
}

/**
 * Raw build times of the minimal template (templates/debian-minimal.ks, through the resolve step): cold (empty cache: mmdebstrap runs) and warm (the base root comes
 * from the cache), and the warm build against the same steps as a plain shell script (raw-build-steps.sh)
 * in the same run, so the ratio holds on any machine. Goals: warm under 15 s, ratio at most 1.05.
 * The cold build is compared with the fastest peer, mmdebstrap of the same packages from the same sources
 * with the notes' fastest recipe, followed by the same script, in the same run. Goal: cold at most 0.6 of the
 * peer.
 * IMGER_BENCH_CACHE keeps the cache between runs (then "cold" is only cold the first time);
 * IMGER_BENCH_PEER=0 leaves the peer out (it takes minutes) when only the warm figures matter.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readHostSources, renderSourcesList, sourcesForSuite } from '../src/builder/apt-sources.ts';
import { createNativeBuilder } from '../src/builder/builder.ts';
import { run } from '../src/builder/exec.ts';
import { resolveKickstart } from '../src/builder/from-kickstart.ts';
import { selectPackages } from '../src/builder/packages.ts';
import { defaultWorkRoot } from '../src/builder/workspace.ts';

const ROUNDS = 3;
const template = await readFile(resolve(import.meta.dirname, '../templates/debian-minimal.ks'), 'utf8');
const WARM_GOAL_S = 15;
const RATIO_GOAL = 1.05;
const PEER_RATIO_GOAL = 0.6;
const withPeer = process.env.IMGER_BENCH_PEER !== '0';

const scratch = await mkdtemp(join(tmpdir(), 'imger-bench-'));
const cacheDir = process.env.IMGER_BENCH_CACHE ?? join(scratch, 'cache');
// Builder and script work in the same place, the builder's default (RAM when there is plenty), so only the steps
// differ.
const workRoot = await mkdtemp(join(await defaultWorkRoot(), 'imger-bench-'));
// The builder's sandbox (an unprivileged uid) must be able to traverse it.
await chmod(workRoot, 0o755);
const builder = createNativeBuilder({ cacheDir, workRoot });

async function templateRecipe(outputDir: string) {
  const { recipe } = await resolveKickstart(
    { kickstart: template, type: 'raw', arch: 'x86_64', name: 'minimal', outputDir },
    AbortSignal.timeout(60_000),
  );
  return recipe;
}

async function builderRun(round: string): Promise<{
  seconds: number;
  steps: Map<string, number>;
  tarball: string;
  rootMiB: number | undefined;
}> {
  const outputDir = join(scratch, `out-${round}`);
  const recipe = await templateRecipe(outputDir);
  const outcome = await builder.build({ recipe });
  if (!outcome.ok) throw new Error(`build failed: ${JSON.stringify(outcome.failure)}`);
  const log = await readFile(join(outputDir, 'minimal.log'), 'utf8');
  const key = /base root key ([0-9a-f]{64})/.exec(log)?.[1];
  const steps = new Map([...log.matchAll(/== (\w+) done in ([\d.]+) s/g)].map((m) => [m[1]!, Number(m[2])]));
  await rm(outputDir, { recursive: true, force: true });
  const root = recipe.partitions.find((part) => part.mountpoint === '/');
  return {
    seconds: outcome.ms / 1000,
    steps,
    tarball: join(cacheDir, 'roots', `${key}.tar.zst`),
    rootMiB: root?.grow ? undefined : root?.sizeMiB,
  };
}

/**
 * The fastest peer: mmdebstrap (root mode, minbase, the builder's package selection, the host's sources for the
 * template's suite, as the builder uses them) with the recipe of the notes' fastest cold build (documentation
 * left out, the initramfs made once, MODULES=most as Debian ships it, zstd -1) into a tarball, then the same
 * script. Its root is made in the same work folder as the builder's.
 */
async function peerRun(rootMiB: number | undefined): Promise<number> {
  const started = performance.now();
  const recipe = await templateRecipe(join(scratch, 'peer-out'));
  const suite = recipe.suite ?? 'bookworm';
  const sources = join(scratch, 'peer-sources.list');
  await writeFile(sources, renderSourcesList(sourcesForSuite(await readHostSources(), suite)));
  const tarball = join(scratch, 'peer-root.tar.zst');
  const initramfs = '/usr/sbin/update-initramfs';
  await run(
    'mmdebstrap',
    [
      '--mode=root',
      '--variant=minbase',
      '--arch=amd64',
      `--include=${selectPackages(recipe).packages.join(',')}`,
      '--aptopt=Acquire::Languages "none"',
      '--dpkgopt=path-exclude=/usr/share/doc/*',
      '--dpkgopt=path-include=/usr/share/doc/*/copyright',
      '--dpkgopt=path-exclude=/usr/share/man/*',
      '--essential-hook=mkdir -p "$1/etc/initramfs-tools/conf.d"; echo MODULES=most > "$1/etc/initramfs-tools/conf.d/modules"',
      `--essential-hook=printf 'COMPRESS=zstd\\nCOMPRESSLEVEL=1\\n' > "$1/etc/initramfs-tools/conf.d/compress"`,
      `--essential-hook=chroot "$1" dpkg-divert --quiet --local --rename --add ${initramfs}; printf '#!/bin/sh\\necho deferred\\n' > "$1${initramfs}"; chmod 755 "$1${initramfs}"`,
      `--customize-hook=rm -f "$1${initramfs}"; chroot "$1" dpkg-divert --quiet --local --rename --remove ${initramfs}; chroot "$1" update-initramfs -c -k all`,
      suite,
      tarball,
      sources,
    ],
    { env: { ...process.env, TMPDIR: workRoot } },
  );
  await shellRun('peer', { tarball, rootMiB });
  await rm(tarball, { force: true });
  return (performance.now() - started) / 1000;
}

async function shellRun(
  round: string,
  cold: { tarball: string; rootMiB: number | undefined },
): Promise<{ seconds: number; steps: Map<string, number> }> {
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
  // `phase STEP SECONDS` lines: each step lasts until the next one starts.
  const marks = [...result.stderr.matchAll(/^phase (\w+) ([\d.]+)$/gm)].map((m) => ({
    step: m[1]!,
    at: Number(m[2]),
  }));
  const steps = new Map(marks.slice(0, -1).map((mark, i) => [mark.step, marks[i + 1]!.at - mark.at]));
  return { seconds: result.ms / 1000, steps };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

try {
  const cold = await builderRun('cold');
  const peer = withPeer ? await peerRun(cold.rootMiB) : undefined;
  const warm: number[] = [];
  const warmSteps: Map<string, number>[] = [];
  const shell: number[] = [];
  const shellSteps: Map<string, number>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const run = await builderRun(`warm-${round}`);
    warm.push(run.seconds);
    warmSteps.push(run.steps);
    const script = await shellRun(`${round}`, cold);
    shell.push(script.seconds);
    shellSteps.push(script.steps);
  }
  const ratio = median(warm) / median(shell);
  console.log(`raw build, minimal image (${ROUNDS} warm rounds, medians; work folders in ${workRoot})`);
  const bySteps = (steps: Map<string, number>) =>
    [...steps].map(([step, seconds]) => `${step} ${seconds.toFixed(1)}`).join(', ');
  console.log(`  cold builder:       ${cold.seconds.toFixed(1)} s  (${bySteps(cold.steps)})`);
  if (peer !== undefined) {
    const peerRatio = cold.seconds / peer;
    console.log(`  cold peer (mmdebstrap + script): ${peer.toFixed(1)} s`);
    console.log(`  ratio cold builder/peer: ${peerRatio.toFixed(2)}`);
    console.log(
      `  cold ratio goal <= ${PEER_RATIO_GOAL}: ${peerRatio <= PEER_RATIO_GOAL ? 'met' : 'NOT met'}`,
    );
  }
  console.log(
    `  warm builder:       ${median(warm).toFixed(1)} s  (${warm.map((s) => s.toFixed(1)).join(', ')})`,
  );
  console.log(
    `  warm shell script:  ${median(shell).toFixed(1)} s  (${shell.map((s) => s.toFixed(1)).join(', ')})`,
  );
  const stepMedians = (runs: Map<string, number>[]) =>
    new Map([...(runs[0]?.keys() ?? [])].map((step) => [step, median(runs.map((s) => s.get(step) ?? 0))]));
  console.log(`  warm builder by step (medians): ${bySteps(stepMedians(warmSteps))}`);
  console.log(`  shell script by step (medians): ${bySteps(stepMedians(shellSteps))}`);
  console.log(`  ratio builder/shell: ${ratio.toFixed(2)}`);
  console.log(`  warm goal < ${WARM_GOAL_S} s: ${median(warm) < WARM_GOAL_S ? 'met' : 'NOT met'}`);
  console.log(`  ratio goal <= ${RATIO_GOAL}: ${ratio <= RATIO_GOAL ? 'met' : 'NOT met'}`);
} finally {
  await rm(scratch, { recursive: true, force: true });
  await rm(workRoot, { recursive: true, force: true });
}

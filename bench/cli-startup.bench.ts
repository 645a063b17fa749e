/**
 * `imger` start-up, as editors, git hooks and CI loops run it: `imger --help` and `imger ks lint` of a small file,
 * each as a ratio to `node -e 0` measured in the same rounds (interleaved, so noise from elsewhere on the machine
 * hits all three alike). The CLI runs from dist/ (scripts/build-js.sh, which `npm run bench` calls first); the goal
 * is well under 0.3 s.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from './lib/compare.ts';

const ROUNDS = 15;
const GOAL_S = 0.3;
const imger = resolve(import.meta.dirname, '../bin/imger.js');
const folder = mkdtempSync(join(tmpdir(), 'imger-bench-cli-'));
const small = join(folder, 'small.ks');
// About 400 bytes, like a hand-written kickstart.
writeFileSync(
  small,
  [
    'lang en_US.UTF-8',
    'keyboard us',
    'timezone Europe/Helsinki --utc',
    'rootpw --plaintext secret',
    'user --name=demo --groups=sudo --password=demo',
    'network --bootproto=dhcp --hostname=small',
    'bootloader --timeout=1 --append="console=ttyS0"',
    'part / --size=2000 --fstype=ext4',
    'repo --name=debian --baseurl=http://deb.debian.org/debian --suite=bookworm --components=main',
    '%packages',
    'openssh-server',
    'sudo',
    '%end',
    '%post',
    'echo built > /etc/motd',
    '%end',
    '',
  ].join('\n'),
);

const commands = {
  'node -e 0': ['-e', '0'],
  'imger --help': [imger, '--help'],
  'imger ks lint small.ks': [imger, 'ks', 'lint', small],
} satisfies Record<string, string[]>;
type Name = keyof typeof commands;

function seconds(args: readonly string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const took = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
  return took;
}

try {
  const times = Object.fromEntries(Object.keys(commands).map((name) => [name, [] as number[]])) as Record<
    Name,
    number[]
  >;
  // One unmeasured round warms the page cache.
  for (const args of Object.values(commands)) seconds(args);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, args] of Object.entries(commands) as [Name, string[]][])
      times[name].push(seconds(args));
  }
  const baseline = median(times['node -e 0']);
  console.log(`node -e 0: median ${(baseline * 1000).toFixed(0)} ms over ${ROUNDS} rounds`);
  for (const name of ['imger --help', 'imger ks lint small.ks'] as const) {
    const took = median(times[name]);
    console.log(
      `${name}: median ${(took * 1000).toFixed(0)} ms, ratio ${(took / baseline).toFixed(2)} to node -e 0 ` +
        `(goal under ${GOAL_S} s: ${took < GOAL_S ? 'met' : 'NOT met'})`,
    );
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}

// The mic backend, tested against a STAND-IN for mic: mic (and mic2's mic-image-creator) cannot be installed on
// this machine, so each test writes a small bash program named `mic` (or `mic-image-creator`) into a temporary
// folder. It records the command line and the environment it was given, then writes the files real mic writes
// for the requested type (mic/imager/*.py naming, --release layout with MANIFEST, mic2's NAME-TYPE/ folders),
// or fails, or hangs, as the test asks. What is checked is IMG's side: the command line, the artifact discovery
// by mic's naming rules, failure classification, cancel, timeout, and that nothing is left behind.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { BuildEvent } from '../../src/builder/events.ts';
import {
  createMicBuilder,
  findMic,
  type MicBuilderOptions,
  type MicBuildRequest,
  splitMicOpts,
} from '../../src/builder/mic/index.ts';
import type { BuildOutcome } from '../../src/builder/publish.ts';

const kickstart = `lang en_US.UTF-8
repo --name=main --baseurl=file:///srv/repo/@RELEASE@/@ARCH@/
part / --size=1024 --fstype=ext4 --ondisk=sda
%packages
bash
%end
`;

/**
 * Parses the command line the way mic and mic2 do for the few options that decide where output goes, records
 * what it was given, and leaves the body to the test. DEST is where real mic puts the image's files.
 */
const prologue = `#!/bin/bash
set -eu
here="$(dirname "$0")"
printf '%s\\n' "$@" > "$here/argv"
env > "$here/env"
echo $$ > "$here/pid"
TYPE=""; KS=""; OUTDIR=""; RELEASE=""; PACK_TO=""
if [ "\${1:-}" = create ]; then TYPE=$2; KS=$3; fi
for a in "$@"; do
  case $a in
    --format=*) TYPE=\${a#--format=} ;;
    --config=*) KS=\${a#--config=} ;;
    --outdir=*) OUTDIR=\${a#--outdir=} ;;
    --release=*) RELEASE=\${a#--release=} ;;
    --pack-to=*) PACK_TO=\${a#--pack-to=} ;;
  esac
done
cp "$KS" "$here/ks"
NAME=$(basename "$KS" .ks)
DEST=$OUTDIR
if [ -n "$RELEASE" ]; then DEST=$OUTDIR/$RELEASE/images/$NAME; fi
mkdir -p "$DEST"
cp "$KS" "$DEST/$NAME.ks"
echo "Retrieving repo metadata:"
echo "Installing packages ..."
`;

interface Sandbox {
  root: string;
  bin: string;
  out: string;
  work: string;
}

let sandbox: Sandbox;

beforeEach(async () => {
  const root = await mkdtemp(join(tmpdir(), 'imger-mic-test-'));
  sandbox = { root, bin: join(root, 'bin'), out: join(root, 'out'), work: join(root, 'work') };
  await mkdir(sandbox.bin);
  await mkdir(sandbox.work);
});

afterEach(async () => {
  await rm(sandbox.root, { recursive: true, force: true });
});

async function standIn(body: string, program = 'mic'): Promise<string> {
  const path = join(sandbox.bin, program);
  await writeFile(path, `${prologue}${body}\n`);
  await chmod(path, 0o755);
  return path;
}

async function recorded(file: 'argv' | 'env' | 'ks' | 'pid' | 'child'): Promise<string> {
  return readFile(join(sandbox.bin, file), 'utf8');
}

async function build(
  micPath: string,
  request: Partial<MicBuildRequest> = {},
  options: Omit<MicBuilderOptions, 'micPath' | 'workRoot'> = {},
): Promise<BuildOutcome> {
  const builder = createMicBuilder({ micPath, workRoot: sandbox.work, ...options });
  return builder.build({
    kickstart,
    type: 'loop',
    arch: 'i686',
    name: 'demo',
    outputDir: sandbox.out,
    ...request,
  });
}

function succeeded(outcome: BuildOutcome) {
  assert.ok(outcome.ok, outcome.ok ? '' : `${outcome.failure.class}: ${outcome.failure.message}`);
  return outcome;
}

function failed(outcome: BuildOutcome) {
  assert.ok(!outcome.ok, 'the build should have failed');
  return outcome;
}

function isRunning(pid: number): boolean {
  try {
    // A zombie is dead; only its parent has not reaped it yet.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** A failed or cancelled build leaves its log and nothing else: no stage folder, no half-written image. */
async function assertOnlyLogLeft(): Promise<void> {
  assert.deepEqual(await readdir(sandbox.out), ['demo.log']);
  assert.deepEqual(await readdir(sandbox.work), []);
}

describe('splitMicOpts', () => {
  it('splits on ":" as the original did, keeping the commas inside --record-pkgs', () => {
    assert.deepEqual(splitMicOpts('--pack-to=@NAME@.tar.bz2:--record-pkgs=name,url: :--copy-kernel:'), [
      '--pack-to=@NAME@.tar.bz2',
      '--record-pkgs=name,url',
      '--copy-kernel',
    ]);
    assert.deepEqual(splitMicOpts(''), []);
  });
});

describe('findMic', () => {
  it('prefers mic, falls back to mic2, and skips files it cannot run', async () => {
    const first = join(sandbox.root, 'first');
    const second = join(sandbox.root, 'second');
    await mkdir(first);
    await mkdir(second);
    await writeFile(join(first, 'mic'), 'not executable');
    await writeFile(join(first, 'mic-image-creator'), '#!/bin/sh\n', { mode: 0o755 });
    assert.deepEqual(await findMic(`${first}:${second}`), {
      flavour: 'mic2',
      path: join(first, 'mic-image-creator'),
    });
    await writeFile(join(second, 'mic'), '#!/bin/sh\n', { mode: 0o755 });
    assert.deepEqual(await findMic(`${first}:${second}`), { flavour: 'mic', path: join(second, 'mic') });
    assert.equal(await findMic(sandbox.work), undefined);
  });
});

describe('mic command line', () => {
  it('runs mic create TYPE KS with arch, outdir, tokenmap and the configured options in order', async () => {
    const mic = await standIn('head -c 4096 /dev/zero > "$DEST/$NAME.img"');
    const outcome = await build(
      mic,
      { arch: 'armv7hl', tokenmap: 'RELEASE:4.6,FLAVOUR:devel' },
      { extraOptions: splitMicOpts('--record-pkgs=name,url:--copy-kernel:--pkgmgr=zypp') },
    );
    succeeded(outcome);
    const argv = (await recorded('argv')).trimEnd().split('\n');
    assert.deepEqual(argv.slice(0, 2), ['create', 'loop']);
    assert.match(argv[2]!, new RegExp(`^${sandbox.work}/imger-mic-[^/]+/demo\\.ks$`));
    assert.equal(argv[3], '--arch=armv7hl');
    assert.match(argv[4]!, new RegExp(`^--outdir=${sandbox.out}/\\.imger-demo-[^/]+/mic$`));
    assert.deepEqual(argv.slice(5), [
      '--tokenmap=RELEASE:4.6,FLAVOUR:devel',
      '--record-pkgs=name,url',
      '--copy-kernel',
      '--pkgmgr=zypp',
    ]);
    // mic applies the tokens itself, so it reads the kickstart as submitted; NAME.ks is the kickstart as built.
    assert.equal(await recorded('ks'), kickstart);
    const asBuilt = await readFile(join(sandbox.out, 'demo.ks'), 'utf8');
    assert.match(asBuilt, /--baseurl=file:\/\/\/srv\/repo\/4\.6\/armv7hl\//);
    assert.match(await recorded('env'), /^LANGUAGE=C$/m);
  });

  it('asks mic for the package list when the configured options do not', async () => {
    const mic = await standIn('head -c 4096 /dev/zero > "$DEST/$NAME.img"');
    succeeded(await build(mic));
    const argv = (await recorded('argv')).trimEnd().split('\n');
    assert.deepEqual(argv.slice(3, 4), ['--arch=i686']);
    assert.deepEqual(argv.slice(5), ['--record-pkgs=name']);
  });

  it('runs mic2 as mic-image-creator --config --format, with the tokens applied to the kickstart it reads', async () => {
    const mic2 = await standIn(
      'mkdir -p "$DEST/$NAME-vmdk"; head -c 4096 /dev/zero > "$DEST/$NAME-vmdk/$NAME-sda.vmdk"; echo "<image/>" > "$DEST/$NAME-vmdk/$NAME.xml"',
      'mic-image-creator',
    );
    succeeded(await build(mic2, { type: 'vmdk', arch: 'i586', tokenmap: { RELEASE: '0.9' } }));
    const argv = (await recorded('argv')).trimEnd().split('\n');
    assert.match(argv[0]!, /^--config=.*\/demo\.ks$/);
    assert.deepEqual(argv.slice(1, 3), ['--format=vmdk', '--arch=i586']);
    assert.match(argv[3]!, /^--outdir=/);
    assert.equal(argv.length, 4);
    assert.match(await recorded('ks'), /--baseurl=file:\/\/\/srv\/repo\/0\.9\/i586\//);
  });

  it('refuses a type or an architecture mic does not know before starting it', async () => {
    const mic = await standIn('exit 0');
    const outcome = failed(await build(mic, { arch: 'amd64' }));
    assert.equal(outcome.failure.class, 'kickstart-error');
    assert.match(outcome.failure.message, /mic cannot build for architecture amd64; it accepts x86_64, i686/);
    assert.equal(failed(await build(mic, { type: 'iso' })).failure.class, 'kickstart-error');
    await assert.rejects(recorded('argv'));
  });
});

interface DiscoveryCase {
  type: string;
  body: string;
  main: string;
  others: string[];
  program?: string;
  request?: Partial<MicBuildRequest>;
}

/** A large file that is not the image: the original's "largest file" rule would have published it. */
const decoy = 'head -c 3000000 /dev/urandom > "$DEST/$NAME-debuginfo.tar"';
const packages = 'printf "bash 5.2\\n" > "$DEST/$NAME.packages"';

const discoveryCases: DiscoveryCase[] = [
  {
    type: 'loop',
    body: `head -c 2048 /dev/zero > "$DEST/$NAME.img"; head -c 1024 /dev/zero > "$DEST/home.img"; ${packages}; ${decoy}`,
    main: 'demo.img',
    others: ['demo-debuginfo.tar', 'demo.packages', 'home.img'],
  },
  {
    type: 'raw',
    body: `head -c 2048 /dev/zero > "$DEST/$NAME-sda.raw"; head -c 1024 /dev/zero > "$DEST/$NAME-sdb.raw"; echo "<image/>" > "$DEST/$NAME.xml"; ${decoy}`,
    main: 'demo-sda.raw',
    others: ['demo-debuginfo.tar', 'demo-sdb.raw', 'demo.xml'],
  },
  {
    type: 'livecd',
    body: `head -c 2048 /dev/zero > "$DEST/$NAME.iso"; ${packages}; ${decoy}`,
    main: 'demo.iso',
    others: ['demo-debuginfo.tar', 'demo.packages'],
  },
  {
    type: 'liveusb',
    body: `head -c 2048 /dev/zero > "$DEST/$NAME.usbimg"; ${decoy}`,
    main: 'demo.usbimg',
    others: ['demo-debuginfo.tar'],
  },
  {
    type: 'nand',
    program: 'mic-image-creator',
    body: 'mkdir "$DEST/$NAME-nand"; head -c 2048 /dev/zero > "$DEST/$NAME-nand/$NAME.img"; head -c 512 /dev/zero > "$DEST/$NAME-nand/$NAME-boot.bin"',
    main: 'demo.img',
    others: ['demo-boot.bin'],
  },
  {
    type: 'fs',
    request: { packTo: 'tar.gz' },
    body: `tar -czf "$DEST/$PACK_TO" -C "$here" argv; ${decoy}`,
    main: 'demo.tar.gz',
    others: ['demo-debuginfo.tar'],
  },
];

describe('mic artifact discovery', () => {
  for (const c of discoveryCases) {
    it(`finds the ${c.type} image by mic's naming, never by size`, async () => {
      const mic = await standIn(c.body, c.program);
      const outcome = succeeded(await build(mic, { type: c.type, ...c.request }));
      const main = outcome.artifacts.filter((a) => a.main);
      assert.deepEqual(
        main.map((a) => a.file),
        [c.main],
      );
      const others = outcome.artifacts.filter((a) => !a.main).map((a) => a.file);
      assert.deepEqual(others.sort(), [...c.others, 'SHA256SUMS', 'demo.ks', 'demo.log'].sort());
      for (const artifact of outcome.artifacts) assert.equal(artifact.path, join(sandbox.out, artifact.file));
      assert.deepEqual((await readdir(sandbox.out)).sort(), outcome.artifacts.map((a) => a.file).sort());
      assert.deepEqual(await readdir(sandbox.work), []);
      execFileSync('sha256sum', ['--check', '--quiet', 'SHA256SUMS'], { cwd: sandbox.out });
      const sums = await readFile(join(sandbox.out, 'SHA256SUMS'), 'utf8');
      assert.match(sums, new RegExp(` ${c.main.replace('.', '\\.')}\\n`));
      assert.doesNotMatch(sums, /demo\.log/);
    });
  }

  it("packs fs's root folder into NAME.tar.zst with numeric owners when mic did not pack it", async () => {
    const mic = await standIn(
      'mkdir -p "$DEST/$NAME/etc"; echo demo > "$DEST/$NAME/etc/hostname"; chown 4321:8765 "$DEST/$NAME/etc/hostname"',
    );
    const outcome = succeeded(await build(mic, { type: 'fs' }));
    assert.equal(outcome.artifacts.find((a) => a.main)?.file, 'demo.tar.zst');
    const listing = execFileSync(
      'tar',
      ['-I', 'zstd', '--numeric-owner', '-tvf', join(sandbox.out, 'demo.tar.zst')],
      {
        encoding: 'utf8',
      },
    );
    assert.match(listing, /4321\/8765 .* \.\/etc\/hostname$/m);
    assert.ok(!(await readdir(sandbox.out)).includes('demo'), 'the root folder itself is not published');
    const argv = await recorded('argv');
    assert.doesNotMatch(argv, /--pack-to/);
  });

  it('reads the --release layout RID/images/NAME/ with its MANIFEST, where mic renamed the ISO to NAME.img', async () => {
    const mic = await standIn(
      `head -c 2048 /dev/zero > "$DEST/$NAME.img"; ${packages}; (cd "$DEST" && md5sum "$NAME.img" "$NAME.packages" > MANIFEST)`,
    );
    const outcome = succeeded(await build(mic, { type: 'livecd', release: '1.0' }));
    assert.deepEqual(
      outcome.artifacts.map((a) => [a.file, a.main]),
      [
        ['demo.img', true],
        ['MANIFEST', false],
        ['demo.packages', false],
        ['demo.ks', false],
        ['SHA256SUMS', false],
        ['demo.log', false],
      ],
    );
    assert.match(await recorded('argv'), /^--release=1\.0$/m);
    assert.match(await readFile(join(sandbox.out, 'demo.ks'), 'utf8'), /\/srv\/repo\/1\.0\/i686\//);
    execFileSync('md5sum', ['--check', '--quiet', 'MANIFEST'], { cwd: sandbox.out });
  });

  it('fails, naming what mic wrote, when the main image is not where mic puts it', async () => {
    const mic = await standIn(decoy);
    const outcome = failed(await build(mic));
    assert.equal(outcome.failure.class, 'internal');
    assert.equal(outcome.failure.step, 'filesystem');
    assert.match(outcome.failure.message, /no loop image .*; it wrote: demo-debuginfo\.tar, demo\.ks/);
    await assertOnlyLogLeft();
  });
});

describe('mic failures', () => {
  const halfWritten = 'head -c 4096 /dev/zero > "$DEST/$NAME.img"';

  it('reports a package mic could not find', async () => {
    const mic = await standIn(`${halfWritten}
echo "Error: <creator> Failed to find package 'no-such-tool' : No package matched" >&2
exit 1`);
    const outcome = failed(await build(mic));
    assert.equal(outcome.failure.class, 'package-not-found');
    assert.deepEqual(outcome.failure.details.packages, ['no-such-tool']);
    assert.equal(outcome.log, join(sandbox.out, 'demo.log'));
    assert.match(await readFile(outcome.log!, 'utf8'), /Failed to find package 'no-such-tool'/);
    await assertOnlyLogLeft();
  });

  it('reports an unreachable repository', async () => {
    const mic =
      await standIn(`echo "Error: <creator> URLGrabber error: file:///srv/repo/latest/i686/repodata/repomd.xml" >&2
exit 1`);
    const outcome = failed(await build(mic));
    assert.equal(outcome.failure.class, 'repository-unreachable');
    assert.match(outcome.failure.message, /^Error: <creator> URLGrabber error: file:\/\/\/srv\/repo/);
    await assertOnlyLogLeft();
  });

  it('reports the first real error line of any other failure', async () => {
    const mic = await standIn(`${halfWritten}
echo "Mounting image demo.img"
echo "Error: <mount> Failed to mount /dev/loop0 on /var/tmp/mic/install_root" >&2
echo "Traceback (most recent call last):" >&2
echo "SystemExit: 1" >&2
exit 3`);
    const outcome = failed(await build(mic));
    assert.equal(outcome.failure.class, 'internal');
    assert.equal(outcome.failure.step, 'packages');
    assert.equal(
      outcome.failure.message,
      'mic exited with 3: Error: <mount> Failed to mount /dev/loop0 on /var/tmp/mic/install_root',
    );
    await assertOnlyLogLeft();
  });

  it('says that mic is missing and which setting asked for it', async () => {
    const outcome = failed(await build(join(sandbox.bin, 'mic')));
    assert.equal(outcome.failure.class, 'internal');
    assert.match(outcome.failure.message, /mic is not installed .*builder = mic/);
    await assert.rejects(readdir(sandbox.out));
  });
});

describe('stopping mic', () => {
  const hang = `${'head -c 4096 /dev/zero > "$DEST/$NAME.img"'}
sleep 60 &
echo $! > "$here/child"
echo "Running post scripts ..."
wait`;

  async function processes(): Promise<number[]> {
    return [Number(await recorded('pid')), Number(await recorded('child'))];
  }

  it('cancels: the whole process tree is gone and only the log is left', async () => {
    const mic = await standIn(hang);
    const controller = new AbortController();
    const onEvent = (event: BuildEvent) => {
      if (event.type === 'log' && event.line.includes('Running post scripts')) controller.abort();
    };
    const outcome = failed(await build(mic, { signal: controller.signal, onEvent }));
    assert.equal(outcome.failure.class, 'cancelled');
    assert.ok(isRunning(process.pid), 'isRunning sees a live process');
    for (const pid of await processes()) assert.ok(!isRunning(pid), `process ${pid} is still running`);
    await assertOnlyLogLeft();
  });

  it('times out: the whole process tree is gone and only the log is left', async () => {
    const mic = await standIn(hang);
    const started = Date.now();
    const outcome = failed(await build(mic, {}, { timeoutMs: 1500 }));
    assert.equal(outcome.failure.class, 'timeout');
    assert.ok(Date.now() - started < 15_000, 'the timeout stopped mic');
    for (const pid of await processes()) assert.ok(!isRunning(pid), `process ${pid} is still running`);
    await assertOnlyLogLeft();
  });
});

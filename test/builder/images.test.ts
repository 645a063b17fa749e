// Slow: real image builds. One minimal recipe is bootstrapped once per run (the base root cache makes every
// later build of the same package set skip mmdebstrap); every type is built from it and the bootable ones
// are booted under qemu.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { zstdDecompressSync } from 'node:zlib';
import { bootTest } from '../../src/builder/boot-test.ts';
import { createNativeBuilder } from '../../src/builder/builder.ts';
import type { BuildEvent } from '../../src/builder/events.ts';
import { run } from '../../src/builder/exec.ts';
import type { ImageType } from '../../src/builder/image-types.ts';
import type { BuildOutcome, PublishedArtifact } from '../../src/builder/publish.ts';
import type { ImageRecipe } from '../../src/builder/recipe.ts';
import { defaultWorkRoot, loopsBackedBelow, mountsBelow } from '../../src/builder/workspace.ts';
import { diffLines } from '../../src/contract/diff-text.ts';
import { MANIFEST_SUFFIX, type Manifest } from '../../src/contract/manifest.ts';
import { diffManifests } from '../../src/service/jobs/job-diff.ts';
import { bootMarker, minimalRecipe } from './fixtures.ts';

const cacheDir = process.env.IMGER_TEST_CACHE ?? '/var/cache/imger';
// Where the builder works by default (RAM when there is plenty), so that is what these builds exercise.
const workRoot = await mkdtemp(join(await defaultWorkRoot(), 'imger-test-work-'));
// The sandbox's uid must be able to traverse it.
await chmod(workRoot, 0o755);
const outRoot = await mkdtemp(join(tmpdir(), 'imger-test-out-'));
const builder = createNativeBuilder({ cacheDir, workRoot });
const timings: string[] = [];

after(async () => {
  console.log(`build timings:\n${timings.join('\n')}`);
  await rm(workRoot, { recursive: true, force: true });
  await rm(outRoot, { recursive: true, force: true });
});

async function recipeFor(type: ImageType, changes: Partial<ImageRecipe> = {}): Promise<ImageRecipe> {
  return { ...(await minimalRecipe(type, join(outRoot, type))), ...changes };
}

async function build(
  recipe: ImageRecipe,
  options: { signal?: AbortSignal; onEvent?: (e: BuildEvent) => void } = {},
) {
  const outcome = await builder.build({ recipe, ...options });
  timings.push(
    `${recipe.type} ${recipe.name}: ${outcome.ok ? 'ok' : outcome.failure.class} in ${(outcome.ms / 1000).toFixed(1)} s`,
  );
  await assertNothingLeftBehind(recipe.outputDir);
  return outcome;
}

function succeeded(outcome: BuildOutcome): PublishedArtifact[] {
  if (!outcome.ok) assert.fail(`build failed: ${JSON.stringify(outcome.failure)}`);
  return outcome.artifacts;
}

/** After any build: no work folder, no staging folder, no mount, no loop device, no child process. */
async function assertNothingLeftBehind(outputDir: string): Promise<void> {
  assert.deepEqual(await readdir(workRoot), [], 'work folders left');
  assert.deepEqual(
    (await readdir(outputDir)).filter((f) => f.startsWith('.imger-')),
    [],
    'staging folders left',
  );
  // Only this file's own folders: loop devices and mounts are the whole host's, other tests' included.
  for (const dir of [workRoot, outputDir]) {
    assert.deepEqual(await mountsBelow(dir), [], `mounts left under ${dir}`);
    assert.deepEqual(await loopsBackedBelow(dir), [], `loop devices left on files in ${dir}`);
  }
  const alive = [];
  for (const pid of await childPids()) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    // tsx's esbuild service is a child of every test process; zombies being reaped are gone already.
    if (status && !/^State:\s+Z/m.test(status) && !/^Name:\s+esbuild$/m.test(status)) alive.push(pid);
  }
  assert.deepEqual(alive, [], 'processes left');
}

/** This process's children, from /proc (field 4 of stat is the parent PID). */
async function childPids(): Promise<string[]> {
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  const children: string[] = [];
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const parent = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
    if (parent === String(process.pid)) children.push(pid);
  }
  return children;
}

let rawOutcome: Promise<BuildOutcome> | undefined;
/** The shared build: the first test that needs the raw disk builds it, the others reuse it. */
function rawBuild(): Promise<BuildOutcome> {
  rawOutcome ??= recipeFor('raw').then(build);
  return rawOutcome;
}

/**
 * The fs recipe of the tests below: attachments, a token, what --nochroot and %pack scripts write, and a %post
 * that changes the initramfs.
 */
async function fsRecipe(outputDir: string): Promise<ImageRecipe> {
  const base = await recipeFor('fs', { outputDir });
  const hostScript = { interpreter: '/bin/sh', nochroot: true, erroronfail: true } as const;
  return {
    ...base,
    attachments: ['/etc/img-*'],
    tokens: { RELEASE: '1.2' },
    scripts: [
      ...base.scripts,
      { ...hostScript, kind: 'post', body: 'echo "release $RELEASE" > "$INSTALL_ROOT/etc/nochroot-ran"' },
      { ...hostScript, kind: 'pack', body: 'ls "$IMG_OUT_DIR" > "$IMG_OUT_DIR/$IMG_NAME.contents"' },
      // Changes what the initramfs is made from: this image's is made again, and never cached.
      { ...hostScript, kind: 'post', nochroot: false, body: 'echo e1000 >> /etc/initramfs-tools/modules' },
    ],
  };
}

const shared = new Map<string, Promise<BuildOutcome>>();
/** A build several tests look at, made by the first that needs it. */
function sharedBuild(name: string, recipe: () => Promise<ImageRecipe>): Promise<BuildOutcome> {
  if (!shared.has(name)) shared.set(name, recipe().then(build));
  return shared.get(name)!;
}
const fsBuild = () => sharedBuild('fs', () => fsRecipe(join(outRoot, 'fs')));
const loopBuild = () => sharedBuild('loop', () => recipeFor('loop'));

function mainDigest(outcome: BuildOutcome): string {
  const digest = succeeded(outcome).find((a) => a.main)?.digest?.sha256;
  assert.ok(digest, 'the main image was hashed');
  return digest;
}

async function manifestOf(outcome: BuildOutcome): Promise<Manifest> {
  const file = succeeded(outcome).find((a) => a.file.endsWith(MANIFEST_SUFFIX));
  assert.ok(file, 'a manifest');
  return JSON.parse(await readFile(file.path, 'utf8')) as Manifest;
}

const bootTimeoutS = 300;
const markerLine = new RegExp(`${bootMarker} IMG-MARKER name=minimal`);

describe('native builder, real images', () => {
  test('raw: a GPT disk with mic-style names, package list, XML and checksums', async () => {
    const artifacts = succeeded(await rawBuild());
    const names = artifacts.map((a) => a.file).sort();
    assert.deepEqual(names, [
      'SHA256SUMS',
      'minimal-sda.raw',
      'minimal.log',
      'minimal.manifest.json',
      'minimal.packages',
      'minimal.xml',
    ]);
    assert.equal(artifacts.find((a) => a.main)?.file, 'minimal-sda.raw');
    const dir = join(outRoot, 'raw');
    await run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dir });
    const packages = await readFile(join(dir, 'minimal.packages'), 'utf8');
    assert.match(packages, /^linux-image-amd64 \S+$/m);
    assert.match(packages, /^sudo \S+$/m);
    const table = (await run('sfdisk', ['--dump', join(dir, 'minimal-sda.raw')])).stdout;
    assert.match(table, /label: gpt/);
    assert.equal(table.match(/name="(bios-boot|esp|root)"/g)?.length, 3);
    const log = await readFile(join(dir, 'minimal.log'), 'utf8');
    assert.match(log, /adding package linux-image-amd64: a bootable image needs a kernel/);
    // Its %post changed nothing the initramfs is made from: the cached one stays.
    assert.doesNotMatch(log, /making the initramfs of kernel \S+ again/);
    // The template's own %post is #1; the boot marker's is #2.
    assert.match(log, /%post #2 --erroronfail: exited with 0/);
  });

  test('raw boots with BIOS to a login prompt and the %post marker', async () => {
    succeeded(await rawBuild());
    const result = await bootTest(join(outRoot, 'raw/minimal-sda.raw'), {
      firmware: 'bios',
      expect: markerLine,
      timeoutS: bootTimeoutS,
    });
    timings.push(`boot raw bios: ${result.pass ? 'PASS' : 'FAIL'} in ${(result.ms / 1000).toFixed(1)} s`);
    assert.ok(result.pass, `${result.reason}\n${result.serialLog.slice(-3000)}`);
    assert.match(result.serialLog, /imgtest login:/);
  });

  test('raw boots with UEFI to a login prompt and the %post marker', async () => {
    succeeded(await rawBuild());
    const result = await bootTest(join(outRoot, 'raw/minimal-sda.raw'), {
      firmware: 'uefi',
      expect: markerLine,
      timeoutS: bootTimeoutS,
    });
    timings.push(`boot raw uefi: ${result.pass ? 'PASS' : 'FAIL'} in ${(result.ms / 1000).toFixed(1)} s`);
    assert.ok(result.pass, `${result.reason}\n${result.serialLog.slice(-3000)}`);
  });

  test('raw with part lines (btrfs root, ext4 /boot, swap) boots with BIOS', async () => {
    const recipe = await recipeFor('raw', {
      name: 'parts',
      outputDir: join(outRoot, 'parts'),
      partitions: [
        { mountpoint: '/', grow: true, fstype: 'btrfs' },
        { mountpoint: '/boot', grow: false, sizeMiB: 300, fstype: 'ext4' },
        { mountpoint: 'swap', grow: false, sizeMiB: 64, fstype: 'swap' },
      ],
    });
    const disk = succeeded(await build(recipe)).find((a) => a.main)!;
    const table = (await run('sfdisk', ['--dump', disk.path])).stdout;
    assert.equal(table.match(/name="(bios-boot|esp|boot|swap|root)"/g)?.length, 5);
    const result = await bootTest(disk.path, {
      firmware: 'bios',
      expect: new RegExp(`${bootMarker} IMG-MARKER name=parts`),
      timeoutS: bootTimeoutS,
    });
    timings.push(`boot parts bios: ${result.pass ? 'PASS' : 'FAIL'} in ${(result.ms / 1000).toFixed(1)} s`);
    assert.ok(result.pass, `${result.reason}\n${result.serialLog.slice(-3000)}`);
    assert.match(result.serialLog, /BTRFS info \(device vda\d\): first mount/);
  });

  for (const type of ['qcow2', 'vmdk', 'vdi'] as const) {
    test(`${type}: the raw disk converted, checked and compared by the builder`, async () => {
      succeeded(await rawBuild());
      // vmdk as streamOptimized, the variant for OVA/ESXi import that needs the extra qemu-img option.
      const artifacts = succeeded(
        await build(await recipeFor(type, { vmdkStreamOptimized: type === 'vmdk' })),
      );
      const main = artifacts.find((a) => a.main)!;
      assert.equal(main.file, `minimal-sda.${type}`);
      assert.ok(
        !artifacts.some((a) => a.file.endsWith('.raw')),
        'the intermediate raw disk is not published',
      );
      await run('qemu-img', ['check', '-f', type, main.path]);
      const info = JSON.parse((await run('qemu-img', ['info', '--output=json', main.path])).stdout);
      assert.equal(info.format, type);
      if (type === 'vmdk') assert.equal(info['format-specific'].data['create-type'], 'streamOptimized');
      const log = await readFile(join(outRoot, type, 'minimal.log'), 'utf8');
      assert.match(log, /Images are identical/);
    });
  }

  test('fs: a tar.zst with numeric owners, attachments, and what --nochroot and %pack scripts wrote', async () => {
    const base = { outputDir: join(outRoot, 'fs') };
    const artifacts = succeeded(await fsBuild());
    const names = artifacts.map((a) => a.file);
    assert.ok(names.includes('img-marker'), 'attachment copied out');
    assert.ok(names.includes('minimal.contents'), '%pack output published');
    const sums = await readFile(join(base.outputDir, 'SHA256SUMS'), 'utf8');
    assert.match(sums, / {2}minimal\.contents$/m);
    assert.match(sums, / {2}img-marker$/m);
    const nochroot = await run('tar', [
      '-I',
      'zstd',
      '-xOf',
      join(base.outputDir, 'minimal.tar.zst'),
      './etc/nochroot-ran',
    ]);
    assert.equal(nochroot.stdout, 'release 1.2\n');
    const main = artifacts.find((a) => a.main)!;
    assert.equal(main.file, 'minimal.tar.zst');
    const listing = (
      await run('tar', ['--numeric-owner', '-I', 'zstd', '-tvf', main.path], { onLine: () => {} })
    ).stdout;
    assert.match(listing, /0\/0 .* \.\/etc\/img-marker/);
    assert.match(listing, /1000\/1000 .* \.\/home\/demo\/$/m);

    const log = await readFile(join(base.outputDir, 'minimal.log'), 'utf8');
    const kernel =
      /the scripts changed \/etc\/initramfs-tools\S*: making the initramfs of kernel (\S+) again/.exec(
        log,
      )?.[1];
    assert.ok(kernel, 'the initramfs made again after the %post changed its modules');
    const initrd = join(outRoot, 'fs-initrd.img');
    await run('tar', ['-I', 'zstd', '-xOf', main.path, `./boot/initrd.img-${kernel}`], { stdoutTo: initrd });
    const image = await readFile(initrd);
    await rm(initrd);
    assert.ok(
      zstdDecompressSync(image).includes('e1000.ko'),
      'the module the %post added is in the initramfs',
    );
    const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    const cached = join(cacheDir, 'initramfs');
    for (const name of (await readdir(cached)).filter((n) => n.endsWith('.img'))) {
      assert.notEqual(
        sha256(await readFile(join(cached, name))),
        sha256(image),
        `stored in the cache as ${name}`,
      );
    }
  });

  test('loop: an ext4 image of the root, readable without mounting', async () => {
    const artifacts = succeeded(await loopBuild());
    const main = artifacts.find((a) => a.main)!;
    assert.equal(main.file, 'minimal.img');
    await run('e2fsck', ['-fn', main.path]);
    const marker = await run('debugfs', ['-R', 'cat /etc/img-marker', main.path]);
    assert.match(marker.stdout, /IMG-MARKER name=minimal/);
    const fstab = await run('debugfs', ['-R', 'cat /etc/fstab', main.path]);
    assert.match(fstab.stdout, /^UUID=\S+ \/ ext4 /m);
  });

  test('fs and loop: a second fresh build of the same inputs is the same bytes, as its manifest says', async () => {
    const fsAgain = await build(await fsRecipe(join(outRoot, 'fs-again')));
    assert.equal(mainDigest(fsAgain), mainDigest(await fsBuild()), 'fs tarballs differ');
    const loopAgain = await build(await recipeFor('loop', { outputDir: join(outRoot, 'loop-again') }));
    assert.equal(mainDigest(loopAgain), mainDigest(await loopBuild()), 'loop images differ');
    const manifest = await manifestOf(fsAgain);
    assert.deepEqual(manifest, await manifestOf(await fsBuild()));
    // What would differ per build is gone or emptied, the way mmdebstrap leaves it.
    const entry = (path: string) => manifest.files.find((file) => file.path === path);
    assert.equal(entry('/etc/machine-id')?.size, 0);
    assert.equal(entry('/var/log/dpkg.log'), undefined);
    assert.equal(entry('/var/cache/ldconfig/aux-cache'), undefined);
    assert.match(entry('/usr/bin/sudo')?.sha256 ?? '', /^[0-9a-f]{64}$/);
    assert.equal(entry('/usr/bin/sudo')?.mode, 0o4755);
    assert.equal(entry('/home/demo')?.uid, 1000);
    assert.ok(manifest.packages.some((p) => p.name === 'sudo' && p.arch === 'amd64'));
  });

  test('the diff of two builds, one with a package more, shows that package and its files', async () => {
    // Loop images: the fs recipe's %post makes the initramfs again, a minute that the diff does not need.
    const plain = await recipeFor('loop', { outputDir: join(outRoot, 'loop-hello') });
    const withHello = await build({ ...plain, packages: [...plain.packages, 'hello'] });
    const diff = diffManifests('A', 'B', await manifestOf(await loopBuild()), await manifestOf(withHello));
    assert.deepEqual(
      diff.packages.added.map((p) => p.name),
      ['hello'],
    );
    assert.deepEqual(diff.packages.removed, []);
    assert.deepEqual(diff.packages.changed, []);
    const added = diff.files.added.map((file) => file.path);
    for (const path of [
      '/usr/bin/hello',
      '/usr/share/doc/hello/copyright',
      '/var/lib/dpkg/info/hello.list',
    ]) {
      assert.ok(added.includes(path), path);
    }
    assert.deepEqual(diff.files.removed, []);
    // dpkg's database, and what comes from the (other) inputs' seed: the password hashes' salts (and shadow's
    // backup) and the filesystem's UUID in fstab.
    assert.deepEqual(
      diff.files.changed.map((file) => file.path),
      ['/etc/fstab', '/etc/shadow', '/etc/shadow-', '/var/lib/dpkg/status', '/var/lib/dpkg/status-old'],
    );
    assert.match(diffLines(diff).join('\n'), /^\+ package hello \S+ amd64$/m);
  });

  test('livecd: a hybrid ISO that boots with BIOS to the login prompt and the marker', async () => {
    const artifacts = succeeded(await build(await recipeFor('livecd')));
    const main = artifacts.find((a) => a.main)!;
    assert.equal(main.file, 'minimal.iso');
    const result = await bootTest(main.path, {
      firmware: 'bios',
      expect: markerLine,
      timeoutS: bootTimeoutS,
    });
    timings.push(`boot livecd bios: ${result.pass ? 'PASS' : 'FAIL'} in ${(result.ms / 1000).toFixed(1)} s`);
    assert.ok(result.pass, `${result.reason}\n${result.serialLog.slice(-3000)}`);
  });
});

describe('native builder, failures leave nothing behind', () => {
  test('a missing package fails as package-not-found, naming it', async () => {
    const outcome = await build(
      await recipeFor('fs', { name: 'missing', packages: ['imger-no-such-package'] }),
    );
    assert.ok(!outcome.ok);
    assert.equal(outcome.failure.class, 'package-not-found');
    assert.deepEqual(outcome.failure.details.packages, ['imger-no-such-package']);
    assert.ok(outcome.failure.details.sources?.length, 'the sources searched are named');
    assert.match(outcome.failure.details.log_line?.text ?? '', /imger-no-such-package/);
    assert.deepEqual(
      await readdir(join(outRoot, 'fs')).then((files) => files.filter((f) => f.startsWith('missing'))),
      ['missing.log'],
    );
  });

  test('an unreachable repository fails before any work', async () => {
    const outcome = await build(
      await recipeFor('fs', {
        name: 'badrepo',
        sources: [{ kind: 'apt', url: 'http://127.0.0.1:9/debian', suite: 'bookworm', components: ['main'] }],
      }),
    );
    assert.ok(!outcome.ok);
    assert.equal(outcome.failure.class, 'repository-unreachable');
    assert.equal(outcome.failure.step, 'resolve');
    assert.match(outcome.failure.details.repository?.url ?? '', /^http:\/\/127\.0\.0\.1:9\/debian/);
  });

  test('a failing --erroronfail script fails the build naming it and its exit code; without it, only the log says so', async () => {
    const failing = {
      kind: 'post',
      interpreter: '/bin/sh',
      nochroot: false,
      body: 'echo about to fail; exit 7',
    } as const;
    const base = await recipeFor('fs');
    const tolerated = await build({
      ...base,
      name: 'tolerated',
      scripts: [{ ...failing, erroronfail: false }],
    });
    assert.ok(tolerated.ok);
    const log = await readFile(join(base.outputDir, 'tolerated.log'), 'utf8');
    assert.match(log, /%post #1: exited with 7/);
    const outcome = await build({
      ...base,
      name: 'scriptfail',
      scripts: [...base.scripts, { ...failing, erroronfail: true }],
    });
    assert.ok(!outcome.ok);
    assert.equal(outcome.failure.class, 'script-failed');
    assert.deepEqual(outcome.failure.details.script, {
      kind: 'post',
      number: base.scripts.length + 1,
      exit_code: 7,
    });
    assert.equal(outcome.failure.owner, 'user');
    const files = (await readdir(base.outputDir)).filter((f) => f.startsWith('scriptfail'));
    assert.deepEqual(files, ['scriptfail.log']);
  });

  test('cancel during the build stops it as cancelled', async () => {
    const controller = new AbortController();
    const outcome = await build(
      await recipeFor('raw', { name: 'cancelled', outputDir: join(outRoot, 'cancel') }),
      {
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'progress' && event.step === 'filesystem') controller.abort();
        },
      },
    );
    assert.ok(!outcome.ok);
    assert.equal(outcome.failure.class, 'cancelled');
    assert.deepEqual(await readdir(join(outRoot, 'cancel')), ['cancelled.log']);
  });

  test('cancel while mmdebstrap installs packages leaves no mount, process or folder', async () => {
    const controller = new AbortController();
    // A package more than the shared recipe (and in no template, nor in the diff test's): a cache miss, so
    // mmdebstrap really runs.
    const recipe = await recipeFor('fs', {
      name: 'cancelboot',
      packages: [...(await minimalRecipe('fs', '')).packages, 'figlet'],
    });
    const outcome = await build(recipe, {
      signal: controller.signal,
      onEvent: (event) => {
        // dpkg at work inside the root: the chroot has its /proc, /sys and /dev mounts then.
        if (event.type === 'log' && /^Unpacking /.test(event.line)) controller.abort();
      },
    });
    assert.ok(!outcome.ok);
    assert.equal(outcome.failure.class, 'cancelled');
    assert.equal(outcome.failure.step, 'bootstrap');
  });

  test('the whole-build deadline fails the build as timeout', async () => {
    const quick = createNativeBuilder({ cacheDir, workRoot, deadlineMs: 1500 });
    const recipe = await recipeFor('raw', { name: 'deadline', outputDir: join(outRoot, 'deadline') });
    const outcome = await quick.build({ recipe });
    await assertNothingLeftBehind(recipe.outputDir);
    assert.ok(!outcome.ok);
    assert.equal(outcome.failure.class, 'timeout');
    assert.equal(outcome.failure.details.limit_s, 1.5);
    assert.deepEqual(await readdir(recipe.outputDir), ['deadline.log']);
  });
});

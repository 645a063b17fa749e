// Slow: builds inside a throwaway qemu VM (`[worker] use_kvm = yes`), through a real worker: TCG on the development
// machine, so each VM build is minutes; the cheap checks (no boot, cancel, deadline) come first and build nothing.
// The raw build inside a VM and its boot are the longest test here: 9 min under TCG on the idle machine.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { bootTest } from '../../../src/builder/boot-test.ts';
import { defaultCacheDir } from '../../../src/builder/cache.ts';
import { run } from '../../../src/builder/exec.ts';
import type { Job, SubmitInput } from '../../../src/service/jobs/index.ts';
import type { WorkerSettings } from '../../../src/service/worker/index.ts';
import { processTree } from '../../../src/service/worker/process-tree.ts';
import { chooseAccel } from '../../../src/service/worker/vm/accel.ts';
import { VM_OUT_FOLDER, type VmSettings } from '../../../src/service/worker/vm/run-build-in-vm.ts';
import { vmRootPartition } from '../../../src/service/worker/vm/vm-kernel.ts';
import { tempDir } from '../helpers.ts';
import { alice, submission } from '../jobs/fixtures.ts';
import { localWorkers } from './local-workers.ts';
import { testVmImage } from './vm-image.ts';

const skip = process.getuid?.() === 0 ? false : 'VM builds run as root (qemu, the VM image build)';
const minimal = readFileSync(join(import.meta.dirname, '../../../templates/debian-minimal.ks'), 'utf8');
let accel: ReturnType<typeof chooseAccel> | undefined;

function vm(image: string, changes: Partial<VmSettings> = {}): VmSettings {
  return {
    image,
    memoryMiB: 1536,
    cpus: 2,
    network: true,
    bootTimeoutMs: 15 * 60_000,
    // The cache the worker's own builds use, so a native build first warms the guest's.
    cacheDir: defaultCacheDir,
    accel: () => {
      accel ??= testVmImage().then((made) => chooseAccel(made));
      return accel;
    },
    ...changes,
  };
}

/** This process's VM temp folders (`imger-vm-PID-…`): other test files make some of their own meanwhile. */
const vmTemps = (): string[] =>
  readdirSync(tmpdir()).filter((name) => name.startsWith(`imger-vm-${process.pid}-`));

/** qemu and everything else this process started and left running. */
function qemusOfThisProcess(): number[] {
  return processTree(process.pid)
    .filter(({ pid }) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('qemu-system');
      } catch {
        return false;
      }
    })
    .map(({ pid }) => pid);
}

async function worker(t: TestContext, settings: Partial<WorkerSettings>) {
  const { jobs, baseDir, start } = await localWorkers(t);
  await start({ queues: ['web'], settings: { timeoutMs: 30 * 60_000, ...settings } });
  const tempsBefore = vmTemps();
  return {
    jobs,
    folder: (job: Job) => join(baseDir, 'web', 'alice', job.id),
    /** Within 15 min (a raw build in a VM takes about 8 under TCG), else the job's state and log tail. */
    async until(id: string, done: (job: Job) => boolean): Promise<Job> {
      const deadline = Date.now() + 15 * 60_000;
      for (;;) {
        const job = await jobs.get(id);
        if (job && done(job)) return job;
        if (Date.now() > deadline) {
          const tail = job ? log(join(baseDir, 'web', 'alice', id), job.name) : '';
          assert.fail(`job ${id} is still ${job?.status}:\n${tail.slice(-3000)}`);
        }
        await sleep(250);
      }
    },
    /** Submits a job on web (the minimal template unless told) and waits for its end; its log with it. */
    async build(fields: Partial<SubmitInput>): Promise<{ job: Job; text: string }> {
      const submitted = await jobs.submit(submission({ queue: 'web', kickstart: minimal, ...fields }), alice);
      const job = await this.until(submitted.id, finished);
      return { job, text: log(join(baseDir, 'web', 'alice', job.id), job.name) };
    },
    /** Nothing of the VM is left: no qemu, no overlay or socket folder, no share in the job's folder. */
    assertNothingLeft(job: Job) {
      assert.deepEqual(qemusOfThisProcess(), []);
      assert.deepEqual(
        vmTemps().filter((name) => !tempsBefore.includes(name)),
        [],
      );
      assert.equal(existsSync(join(baseDir, 'web', 'alice', job.id, VM_OUT_FOLDER)), false);
    },
  };
}

const finished = (job: Job) => ['DONE', 'ERROR', 'CANCELLED'].includes(job.status);
/** The job's log, '' before the worker wrote one. */
const log = (folder: string, name: string) =>
  existsSync(join(folder, `${name}.log`)) ? readFileSync(join(folder, `${name}.log`), 'utf8') : '';

test('a VM image that cannot boot ends the job in ERROR (vm-failed), leaving nothing', {
  skip,
}, async (t) => {
  const image = join(tempDir(t), 'blank.img');
  await writeFile(image, Buffer.alloc(1024 * 1024));
  const w = await worker(t, { vm: vm(image) });
  const { job } = await w.build({ name: 'blank' });
  assert.equal(job.status, 'ERROR');
  assert.equal(job.error?.class, 'vm-failed');
  assert.match(job.error?.message ?? '', /the VM image cannot boot/);
  w.assertNothingLeft(job);
});

test('a VM whose build never starts is stopped at its boot bound: ERROR (vm-failed), nothing left', {
  skip,
}, async (t) => {
  const w = await worker(t, {
    buildEntry: join(import.meta.dirname, 'fixtures', 'silent-child.ts'),
    vm: vm(await testVmImage(), { bootTimeoutMs: 5000 }),
  });
  const { job, text } = await w.build({ name: 'noboot' });
  assert.equal(job.status, 'ERROR');
  assert.equal(job.error?.class, 'vm-failed');
  assert.match(job.error?.message ?? '', /did not start the build within 5 s/);
  assert.match(text, /build VM: (TCG|KVM)/);
  w.assertNothingLeft(job);
});

test('cancel during a VM build kills qemu at once and leaves nothing', { skip }, async (t) => {
  const w = await worker(t, { vm: vm(await testVmImage()) });
  const submitted = await w.jobs.submit(
    submission({ queue: 'web', name: 'cancelled', kickstart: minimal }),
    alice,
  );
  // Once qemu runs, the cancel has a machine to stop (the guest still booting: under TCG, minutes before its
  // build's first step, and nothing in the guest is different then).
  const running = await w.until(submitted.id, (job) => finished(job) || qemusOfThisProcess().length > 0);
  assert.equal(running.status, 'BUILDING');
  await w.jobs.cancel(submitted.id, alice);
  const job = await w.until(submitted.id, finished);
  assert.equal(job.status, 'CANCELLED');
  assert.equal(job.error?.class, 'cancelled');
  w.assertNothingLeft(job);
});

test('a VM build past its deadline is stopped and ends in ERROR (timeout), leaving nothing', {
  skip,
}, async (t) => {
  // One second for the build: the guest cannot even boot in it, so it is the worker that stops qemu, 30 s on.
  const w = await worker(t, { timeoutMs: 1000, vm: vm(await testVmImage()) });
  const { job } = await w.build({ name: 'late' });
  assert.equal(job.status, 'ERROR');
  assert.equal(job.error?.class, 'timeout');
  w.assertNothingLeft(job);
});

test('a base root the guest made in time comes back to the host cache; what it changed or sent late does not', {
  skip,
}, async (t) => {
  // A stand-in for the builder (fixtures/base-root-child.mjs): the real child would bootstrap a root under TCG.
  const cacheDir = tempDir(t);
  const w = await worker(t, {
    buildEntry: join(import.meta.dirname, 'fixtures', 'base-root-child.mjs'),
    vm: vm(await testVmImage(), { cacheDir }),
  });
  const { job, text } = await w.build({ name: 'roots' });
  assert.equal(job.status, 'DONE', text.slice(-3000));
  assert.match(text, /exportBaseRoots true/);
  // The stand-in's names: by job and letter.
  const root = (of: Job, letter: string) =>
    `${createHash('sha256').update(`${of.id} ${letter}`).digest('hex')}.tar.zst`;
  assert.equal(readFileSync(join(cacheDir, 'roots', root(job, 'a')), 'utf8'), 'a root made in time');
  // Neither the root rewritten after the bootstrap nor the one announced after it.
  assert.deepEqual(readdirSync(join(cacheDir, 'roots')), [root(job, 'a')]);
  assert.ok(
    text.includes(`base root "roots/${root(job, 'b')}" not taken: its bytes are not those announced`),
  );
  assert.match(text, /a base root announced after the bootstrap ignored/);
  w.assertNothingLeft(job);
});

test('builder = mic in a VM runs the mic of the admin’s own VM image', { skip }, async (t) => {
  // The admin's own image: the tests' one with a STAND-IN for mic at /usr/bin/mic (mic cannot be installed
  // here), where an admin installs the real one. It writes what mic writes for a loop image, and where it ran.
  const image = join(tempDir(t), 'with-mic.img');
  await run('cp', ['--sparse=always', await testVmImage(), image]);
  const standIn = join(tempDir(t), 'mic');
  await writeFile(
    standIn,
    `#!/bin/sh
set -eu
OUTDIR=
for a in "$@"; do case $a in --outdir=*) OUTDIR=\${a#--outdir=} ;; esac; done
NAME=$(basename "$3" .ks)
mkdir -p "$OUTDIR"
echo "mic stand-in: $1 $2, booted with $(cat /proc/cmdline)"
printf 'a loop image\\n' > "$OUTDIR/$NAME.img"
`,
    { mode: 0o755 },
  );
  const { device } = await vmRootPartition(image);
  await run('debugfs', ['-w', '-R', `write ${standIn} /usr/bin/mic`, device]);
  await run('debugfs', ['-w', '-R', 'sif /usr/bin/mic mode 0100755', device]);
  const w = await worker(t, { builder: 'mic', vm: vm(image) });
  const { job, text } = await w.build({ name: 'micvm', type: 'loop' });
  assert.equal(job.status, 'DONE', text.slice(-3000));
  assert.match(text, /build VM: (TCG|KVM)/);
  assert.match(text, /mic stand-in: create loop, booted with .*init=\/usr\/sbin\/img-vm-init/);
  assert.equal(job.artifacts.find((a) => a.main)?.name, 'micvm.img');
  assert.equal(readFileSync(join(w.folder(job), 'micvm.img'), 'utf8'), 'a loop image\n');
  w.assertNothingLeft(job);
});

test('fs built inside a VM: the same files as a native build, and a %post --nochroot cannot touch the host', {
  skip,
}, async (t) => {
  const hostFile = join(tmpdir(), `imger-vm-escape-${process.pid}`);
  const codeFile = join(import.meta.dirname, `vm-escape-${process.pid}`);
  t.after(async () => {
    await rm(hostFile, { force: true });
    await rm(codeFile, { force: true });
  });
  const kickstart = `${minimal}
%post --nochroot
echo escaped > ${hostFile} || true
echo escaped > ${codeFile} || echo "the code share is read-only"
%end
`;
  // The same build on the host first: its base root, in the cache the guest reads, spares the guest a bootstrap
  // under TCG, and its package list is what the VM's must be.
  const host = await worker(t, { vm: null });
  const { job: native, text: nativeText } = await host.build({ name: 'vmfs', kickstart });
  assert.equal(native.status, 'DONE', nativeText.slice(-3000));
  assert.equal(existsSync(hostFile), false);
  const w = await worker(t, { vm: vm(await testVmImage()) });
  const { job, text } = await w.build({ name: 'vmfs', kickstart });
  assert.equal(job.status, 'DONE', text.slice(-3000));
  assert.deepEqual(job.artifacts.map((a) => a.name).sort(), [
    'SHA256SUMS',
    'vmfs.ks',
    'vmfs.log',
    'vmfs.manifest.json',
    'vmfs.packages',
    'vmfs.tar.zst',
  ]);
  assert.equal(
    readFileSync(join(w.folder(job), 'vmfs.packages'), 'utf8'),
    readFileSync(join(host.folder(native), 'vmfs.packages'), 'utf8'),
  );
  assert.equal(job.artifacts.find((a) => a.main)?.name, 'vmfs.tar.zst');
  assert.match(text, /build VM: (TCG|KVM)/);
  assert.match(text, /== 1\/\d+ resolve/);
  assert.match(text, /build succeeded in/);
  // The script ran, in the guest: its write to the code share failed there.
  assert.match(text, /the code share is read-only/);
  assert.equal(existsSync(hostFile), false);
  assert.equal(existsSync(codeFile), false);
  w.assertNothingLeft(job);
});

test('raw built inside a VM boots with BIOS', { skip }, async (t) => {
  // Natively first, as for fs: a cold cache would have the guest bootstrap under TCG.
  const host = await worker(t, { vm: null });
  const { job: native, text: nativeText } = await host.build({ name: 'vmraw', type: 'raw' });
  assert.equal(native.status, 'DONE', nativeText.slice(-3000));
  const w = await worker(t, { vm: vm(await testVmImage()) });
  const { job, text } = await w.build({ name: 'vmraw', type: 'raw' });
  assert.equal(job.status, 'DONE', text.slice(-3000));
  assert.match(text, /using the cached base root/);
  assert.equal(
    readFileSync(join(w.folder(job), 'vmraw.packages'), 'utf8'),
    readFileSync(join(host.folder(native), 'vmraw.packages'), 'utf8'),
  );
  const disk = job.artifacts.find((a) => a.main)?.name ?? '';
  assert.match(disk, /\.raw$/);
  w.assertNothingLeft(job);
  // The login prompt on the serial console is the proof (bootTest).
  const boot = await bootTest(join(w.folder(job), disk), { firmware: 'bios', timeoutS: 600 });
  assert.ok(boot.pass, `${boot.reason}\n${boot.serialLog.slice(-2000)}`);
});

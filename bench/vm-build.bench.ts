/**
 * A warm fs build of the minimal template inside a throwaway VM ([worker] use_kvm = yes) next to the same build
 * done natively (the build child on the host), in the same run: the ratio is what VM mode costs on this machine.
 * The native build runs first, so the base root is in the cache the VM shares read-only: both builds are warm.
 * The VM's time is split into boot (qemu start to the child's first message: firmware-less kernel boot, init,
 * the shares, Node's start) and the build itself. The acceleration is the worker's own choice (the probe).
 * The VM image is the tests' (built once per template into IMGER_TEST_CACHE, default /var/cache/imger).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultCacheDir } from '../src/builder/cache.ts';
import { BUILD_CHILD, runBuild } from '../src/service/worker/run-build.ts';
import { chooseAccel } from '../src/service/worker/vm/accel.ts';
import { runBuildInVm } from '../src/service/worker/vm/run-build-in-vm.ts';
import { fsOrder } from '../test/service/worker/orders.ts';
import { testVmImage } from '../test/service/worker/vm-image.ts';

const kickstart = await readFile(resolve(import.meta.dirname, '../templates/debian-minimal.ks'), 'utf8');
const image = await testVmImage();
const accel = await chooseAccel(image);
const scratch = await mkdtemp(join(tmpdir(), 'imger-vm-bench-'));

async function timed(name: string, inVm: boolean): Promise<{ seconds: number; bootSeconds?: number }> {
  const outputDir = await mkdtemp(join(scratch, `${name}-`));
  const order = fsOrder(kickstart, outputDir, { job: { id: name, name } });
  const started = performance.now();
  let firstEvent: number | undefined;
  const options = {
    entry: BUILD_CHILD,
    order,
    signal: new AbortController().signal,
    killGraceMs: () => 5000,
    onEvent: () => {
      firstEvent ??= performance.now();
    },
    onText: () => {},
  };
  const result = inVm
    ? await runBuildInVm(options, {
        image,
        memoryMiB: 2048,
        cpus: 2,
        network: true,
        bootTimeoutMs: 30 * 60_000,
        cacheDir: defaultCacheDir,
        accel: async () => accel,
      })
    : await runBuild(options);
  const seconds = (performance.now() - started) / 1000;
  if (!result?.ok) throw new Error(`${name} failed: ${JSON.stringify(result)}`);
  return { seconds, ...(inVm && firstEvent && { bootSeconds: (firstEvent - started) / 1000 }) };
}

try {
  const native = await timed('native', false);
  const vm = await timed('vm', true);
  console.log(
    `fs build of the minimal template, warm, VM (${accel.accel.toUpperCase()}: ${accel.why}) vs native`,
  );
  console.log(`  native:  ${native.seconds.toFixed(1)} s`);
  console.log(
    `  in a VM: ${vm.seconds.toFixed(1)} s (to the build's first event ${vm.bootSeconds?.toFixed(1) ?? '?'} s)`,
  );
  console.log(`  ratio vm/native: ${(vm.seconds / native.seconds).toFixed(2)}`);
} finally {
  await rm(scratch, { recursive: true, force: true });
}

// One build in a throwaway qemu VM: the same build child and protocol as a local build (run-build.ts), so the
// steps, progress, failure classes, files and names are the same. The child's stdout reaches the worker through
// a virtio-serial port (a unix socket here); the guest's serial console goes to the job's log. The guest sees
// IMG's code and Node read-only, the host's build cache read-only under an overlay, and one writable share, a
// dot folder of the job's folder, mounted in the guest at the job folder's own path; nothing else of the host.
// A base root the guest makes comes back to the host's cache only as cache-write-back.ts allows.
import { existsSync, realpathSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRecordsDir, recordedTempFolder } from '../../../builder/build-records.ts';
import { defaultCacheDir } from '../../../builder/cache.ts';
import { CommandFailed } from '../../../builder/command-failed.ts';
import { run } from '../../../builder/exec.ts';
import { lineSplitter } from '../../../builder/line-splitter.ts';
import { failure } from '../../../contract/failure.ts';
import { fileNameProblem } from '../../jobs/file-writes.ts';
import { type BuildOrder, type ChildResult, parseChildLine } from '../child-protocol.ts';
import { entryArgs, type RunBuildOptions } from '../run-build.ts';
import type { AccelChoice } from './accel.ts';
import { baseRootAnnouncements, takeBaseRoots, whyNoBaseRootWriteBack } from './cache-write-back.ts';
import { type GuestShare, guestScript } from './guest-script.ts';
import { GUEST_INIT, qemuValue, runQemu } from './qemu.ts';
import { extractVmKernel, type VmKernel } from './vm-kernel.ts';

export interface VmSettings {
  /** The VM image (raw), never written: each build gets a qcow2 overlay of it. */
  image: string;
  memoryMiB: number;
  cpus: number;
  network: boolean;
  /** From qemu's start to the child's first message. */
  bootTimeoutMs: number;
  /** The host's build cache, shared read-only (when it exists) and where base roots come back to. */
  cacheDir: string;
  /** The worker's probe, made once. */
  accel(): Promise<AccelChoice>;
}

const PORT_NAME = 'img.child';
/** qemu ends at SIGTERM at once; nothing in the guest needs cleaning up, the whole machine is thrown away. */
const QEMU_KILL_GRACE_MS = 2000;
/** The temp folder of a build (overlay, socket, the job's share): `imger-vm-PID-…`, by its worker's PID. */
const TEMP_PREFIX = 'imger-vm-';

/** The share the guest writes the job's files into, in the job's folder (a dot name: never an artifact). */
export const VM_OUT_FOLDER = '.vm-out';

/** IMG's own folder, the one with package.json: four up from here, in src/ and in the compiled dist/ alike. */
const IMG_ROOT = realpathSync(fileURLToPath(new URL('../../../../', import.meta.url)));

/** IMG's code, its dependencies and its Node: what the guest needs to run the child, at the host's paths. */
function codeFolders(): string[] {
  const folders = [
    IMG_ROOT,
    realpathSync(join(IMG_ROOT, 'node_modules')),
    dirname(dirname(realpathSync(process.execPath))),
  ];
  // A folder inside another is already there.
  return folders.filter(
    (folder, i) =>
      !folders.some((other, j) => j !== i && folder.startsWith(`${other}/`)) && folders.indexOf(folder) === i,
  );
}

let compiled: Promise<void> | undefined;

/**
 * The child the guest runs: compiled JavaScript, never the TypeScript sources through tsx, which took 74 s to
 * start under TCG (the compiled child 2 s). A worker running from its sources brings dist/ up to date first, once
 * (scripts/build-js.sh, at once when it is).
 */
async function guestEntryArgs(entry: string): Promise<string[]> {
  const sources = join(IMG_ROOT, 'src');
  if (!entry.endsWith('.ts') || !entry.startsWith(`${sources}/`)) return entryArgs(entry);
  // A failed compile is tried again by the next build, not remembered for every one.
  compiled ??= run('bash', [join(IMG_ROOT, 'scripts', 'build-js.sh')], { cwd: IMG_ROOT }).then(
    () => {},
    (error: unknown) => {
      compiled = undefined;
      throw error;
    },
  );
  await compiled;
  return [join(IMG_ROOT, 'dist', entry.slice(sources.length + 1).replace(/\.ts$/, '.js'))];
}

export async function runBuildInVm(options: RunBuildOptions, vm: VmSettings): Promise<ChildResult | null> {
  const { order } = options;
  const choice = await vm.accel();
  options.onText(
    `build VM: ${choice.accel.toUpperCase()} (${choice.why}), ${vm.cpus} CPUs, ${vm.memoryMiB} MiB, image ${vm.image}`,
  );
  // Recorded as a build's: a worker killed with -9 leaves it to the next worker's start (leftovers.ts).
  const tempFolder = await recordedTempFolder(
    buildRecordsDir(defaultCacheDir),
    `${TEMP_PREFIX}${process.pid}-`,
  );
  const temp = tempFolder.path;
  const outShare = join(order.outputDir, VM_OUT_FOLDER);
  let server: Server | undefined;
  let connection: Socket | undefined;
  try {
    const jobShare = join(temp, 'job');
    await mkdir(jobShare);
    // A worker killed with -9 in an earlier attempt of this job left its share behind.
    await rm(outShare, { recursive: true, force: true });
    await mkdir(outShare, { mode: 0o700 });
    const shares: GuestShare[] = codeFolders().map((path, i) => ({
      tag: `img.code${i}`,
      path,
      readOnly: true,
    }));
    const cache = existsSync(vm.cacheDir) ? { tag: 'img.cache', path: vm.cacheDir } : null;
    const noWriteBack = await whyNoBaseRootWriteBack(order);
    if (noWriteBack !== null)
      options.onText(`build VM: a base root made in the VM stays there: ${noWriteBack}`);
    await writeFile(
      join(jobShare, 'order.json'),
      JSON.stringify({ ...order, exportBaseRoots: noWriteBack === null } satisfies BuildOrder),
    );
    await writeFile(
      join(jobShare, 'run.sh'),
      guestScript({
        shares: [...shares, { tag: 'img.out', path: order.outputDir, readOnly: false }],
        cache,
        network: vm.network,
        portName: PORT_NAME,
        node: realpathSync(process.execPath),
        args: await guestEntryArgs(options.entry),
        outputDir: order.outputDir,
        orderPath: '/run/img-job/order.json',
      }),
    );
    let boot: VmKernel;
    try {
      boot = await extractVmKernel(vm.image, temp);
    } catch (error) {
      return vmFailed(`the VM image cannot boot: ${error instanceof Error ? error.message : String(error)}`);
    }
    const overlay = join(temp, 'disk.qcow2');
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', vm.image, overlay]);

    let result: ChildResult | null = null;
    const roots = baseRootAnnouncements();
    let hello = false;
    const stopVm = new AbortController();
    const bootTimer = setTimeout(() => {
      stopVm.abort('no-hello');
    }, vm.bootTimeoutMs);
    const onLine = (line: string): void => {
      const message = parseChildLine(line);
      if (message === null) options.onText(line);
      else if (message.type === 'started') {
        hello = true;
        clearTimeout(bootTimer);
      } else if (message.type === 'result') result = message;
      else if (message.type === 'base-root') {
        if (roots.hear(message) === 'late')
          options.onText('build VM: a base root announced after the bootstrap ignored');
      } else {
        roots.hear(message);
        options.onEvent(message);
      }
    };
    const socketPath = join(temp, 'child.sock');
    // qemu connects as the client at its start: nothing the child writes can be lost before the worker listens.
    const closed = new Promise<void>((resolve) => {
      server = createServer((socket) => {
        connection = socket;
        // Bounded lines: the guest may be a user's by now, and write one without end.
        const lines = lineSplitter(onLine);
        socket.setEncoding('utf8');
        socket.on('data', (text: string) => lines.push(text));
        socket.on('end', () => lines.end());
        socket.on('close', () => resolve());
        socket.on('error', () => {});
      });
    });
    await new Promise<void>((resolve, reject) => {
      server?.once('error', reject);
      server?.listen(socketPath, resolve);
    });

    const signal = AbortSignal.any([options.signal, stopVm.signal]);
    let qemuError = '';
    try {
      await runQemu(qemuArgs(), {
        signal,
        killGraceMs: QEMU_KILL_GRACE_MS,
        // The worker's own unplanned exit takes qemu with it (pdeathsig covers kill -9).
        exitSignal: 'SIGKILL',
        onLine: (line) => options.onText(`vm: ${line}`),
      });
    } catch (error) {
      if (!(error instanceof CommandFailed)) throw error;
      qemuError = error.message;
    } finally {
      clearTimeout(bootTimer);
    }
    // What the guest wrote before it stopped is read to the end before anything is decided.
    if (connection) await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
    if (noWriteBack === null && !options.signal.aborted)
      await takeBaseRoots(outShare, vm.cacheDir, roots.announced, options.onText);
    if (result) {
      if ((result as ChildResult).ok) await takeOut(outShare, order.outputDir, options.onText);
      return result;
    }
    if (options.signal.aborted) return null;
    const seconds = vm.bootTimeoutMs / 1000;
    // Only the boot bound stops the VM of its own accord.
    if (stopVm.signal.aborted)
      return vmFailed(
        `the build VM did not start the build within ${seconds} s (vm_boot_timeout, ${choice.accel})`,
      );
    if (!hello)
      return vmFailed(`the build VM stopped before it started the build${qemuError ? `: ${qemuError}` : ''}`);
    return vmFailed(
      `the build VM stopped answering before the build reported its result${qemuError ? `: ${qemuError}` : ''}`,
    );

    function qemuArgs(): string[] {
      const share = (tag: string, path: string, readOnly: boolean): string[] => [
        '-fsdev',
        `local,id=${tag},path=${qemuValue(path)},security_model=${readOnly ? 'none,readonly=on' : 'mapped-xattr'}`,
        '-device',
        `virtio-9p-pci,fsdev=${tag},mount_tag=${tag}`,
      ];
      return [
        ...['-accel', choice.accel, '-m', String(vm.memoryMiB), '-smp', String(vm.cpus)],
        ...['-nodefaults', '-display', 'none', '-monitor', 'none', '-no-reboot', '-no-user-config'],
        ...['-chardev', 'stdio,id=console,signal=off', '-serial', 'chardev:console'],
        ...['-drive', `file=${qemuValue(overlay)},format=qcow2,if=virtio,cache=unsafe`],
        ...['-kernel', boot.kernel, '-initrd', boot.initrd],
        ...[
          '-append',
          `root=/dev/vda${boot.rootPartition} rw console=ttyS0,115200 init=${GUEST_INIT} panic=-1 quiet loglevel=3`,
        ],
        ...share('img.job', jobShare, true),
        ...share('img.out', outShare, false),
        ...shares.flatMap((s) => share(s.tag, s.path, true)),
        ...(cache ? share(cache.tag, cache.path, true) : []),
        ...['-device', 'virtio-serial-pci', '-chardev', `socket,id=child,path=${qemuValue(socketPath)}`],
        ...['-device', `virtserialport,chardev=child,name=${PORT_NAME}`],
        ...(vm.network
          ? ['-netdev', 'user,id=net', '-device', 'virtio-net-pci,netdev=net']
          : ['-nic', 'none']),
      ];
    }
  } finally {
    connection?.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await tempFolder.remove();
    await rm(outShare, { recursive: true, force: true });
  }
}

function vmFailed(message: string): ChildResult {
  return { type: 'result', ok: false, failure: failure('vm-failed', message) };
}

/**
 * The job's files, from the guest's share into the job's folder: regular files with plain names only, never over
 * a file already there (the worker's log), readable as a local build's are. The rest is the guest's and goes.
 */
export async function takeOut(share: string, outputDir: string, note: (line: string) => void): Promise<void> {
  for (const name of await readdir(share)) {
    if (name.startsWith('.')) continue;
    const from = join(share, name);
    const to = join(outputDir, name);
    const kind = await lstat(from);
    if (!kind.isFile() || fileNameProblem(name) !== null || existsSync(to)) {
      note(`build VM: left out ${JSON.stringify(name)}: not a new regular file with a plain name`);
      continue;
    }
    await rename(from, to);
    await chmod(to, 0o644);
  }
}

// Boots an image in qemu with a serial console and watches for a login prompt (and optionally an expected
// text): the proof that an image really boots. KVM is not used: on hosts like this one it hangs guests, and
// TCG works everywhere. qemu always runs under exec.run, so it is killed by its PID whatever happens.
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { CommandFailed } from './command-failed.ts';
import { run } from './exec.ts';

export type Firmware = 'bios' | 'uefi';

export interface BootTestOptions {
  firmware: Firmware;
  /** Text the serial console must show besides the login prompt. */
  expect?: RegExp;
  timeoutS: number;
  signal?: AbortSignal;
  memoryMiB?: number;
}

export interface BootTestResult {
  pass: boolean;
  /** Why it failed, in one line; empty on PASS. */
  reason: string;
  serialLog: string;
  ms: number;
}

const ovmfCode = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const ovmfVars = '/usr/share/OVMF/OVMF_VARS_4M.fd';
const loginPrompt = /login: /;

const diskFormats: Record<string, string> = {
  '.raw': 'raw',
  '.img': 'raw',
  '.usbimg': 'raw',
  '.qcow2': 'qcow2',
  '.vmdk': 'vmdk',
  '.vdi': 'vdi',
};

function mediaArgs(image: string): string[] {
  const extension = extname(image);
  if (extension === '.iso') return ['-cdrom', image];
  const format = diskFormats[extension];
  if (!format) throw new Error(`cannot tell how to boot ${image}: unknown extension ${extension}`);
  return ['-drive', `file=${image},format=${format},if=virtio`];
}

export async function bootTest(image: string, options: BootTestOptions): Promise<BootTestResult> {
  const started = performance.now();
  const media = mediaArgs(image);
  const dir = await mkdtemp(join(tmpdir(), 'imger-boot-'));
  const serial = join(dir, 'serial.log');
  const firmware: string[] = [];
  if (options.firmware === 'uefi') {
    // OVMF writes its variables; each run gets its own copy so runs cannot affect each other.
    await copyFile(ovmfVars, join(dir, 'vars.fd'));
    firmware.push(
      '-machine',
      'q35',
      '-drive',
      `if=pflash,format=raw,readonly=on,file=${ovmfCode}`,
      '-drive',
      `if=pflash,format=raw,file=${join(dir, 'vars.fd')}`,
    );
  }
  const args = [
    '-accel',
    'tcg',
    '-m',
    String(options.memoryMiB ?? 1024),
    '-smp',
    '2',
    '-snapshot',
    '-display',
    'none',
    '-monitor',
    'none',
    '-no-reboot',
    '-serial',
    `file:${serial}`,
    ...firmware,
    ...media,
  ];
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([stop.signal, options.signal]) : stop.signal;
  let serialLog = '';
  const booted = () => loginPrompt.test(serialLog) && (!options.expect || options.expect.test(serialLog));
  // qemu also dies with this process, however it ends: an orphaned TCG guest would eat a core for good.
  const qemu = run('setpriv', ['--pdeathsig', 'KILL', '--', 'qemu-system-x86_64', ...args], {
    signal,
    timeoutMs: options.timeoutS * 1000,
    killGraceMs: 2000,
  });
  const poll = setInterval(async () => {
    serialLog = await readFile(serial, 'utf8').catch(() => serialLog);
    if (booted()) stop.abort();
  }, 500);
  let reason = '';
  try {
    await qemu;
    reason = 'qemu exited before the login prompt';
  } catch (error) {
    if (!(error instanceof CommandFailed)) throw error;
    if (error.reason === 'timeout')
      reason = `no ${options.expect ? 'login prompt and expected text' : 'login prompt'} within ${options.timeoutS} s`;
    else if (error.reason !== 'aborted' || !stop.signal.aborted) reason = error.message;
  } finally {
    clearInterval(poll);
    serialLog = await readFile(serial, 'utf8').catch(() => serialLog);
    await rm(dir, { recursive: true, force: true });
  }
  const pass = booted();
  if (!pass && !reason) reason = 'stopped before the login prompt';
  return { pass, reason: pass ? '' : reason, serialLog, ms: Math.round(performance.now() - started) };
}

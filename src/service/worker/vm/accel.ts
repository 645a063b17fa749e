// Which accelerator a build VM gets. /dev/kvm existing proves nothing: under nested virtualisation KVM may hang
// guests or crawl (on the development machine a one-instruction guest took 14 s with KVM, 0.6 s with TCG). So a
// tiny guest must really run under KVM, quickly, before builds use it; otherwise TCG, which works everywhere.
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildRecordsDir, recordedTempFolder } from '../../../builder/build-records.ts';
import { defaultCacheDir } from '../../../builder/cache.ts';
import { CommandFailed } from '../../../builder/command-failed.ts';
import { GUEST_INIT, qemuValue, runQemu } from './qemu.ts';
import { extractVmKernel } from './vm-kernel.ts';

export type Accel = 'kvm' | 'tcg';

export interface AccelChoice {
  accel: Accel;
  /** Why, in a few words, for the log. */
  why: string;
}

/** The isa-debug-exit port: the guest writes a byte there and qemu exits with (byte << 1) | 1. */
const EXIT_PORT = 0xf4;
const EXIT_BYTE = 0x21;
/** Far more than a working KVM needs (well under a second), far less than a crawling one took. */
const PROBE_TIMEOUT_MS = 5000;

/** A boot sector that writes EXIT_BYTE to EXIT_PORT: `mov al, 0x21; out 0xf4, al; hlt; jmp $-1`. */
function probeBootSector(): Buffer {
  const sector = Buffer.alloc(512);
  Buffer.from([0xb0, EXIT_BYTE, 0xe6, EXIT_PORT, 0xf4, 0xeb, 0xfd]).copy(sector);
  sector.writeUInt16LE(0xaa55, 510);
  return sector;
}

/** Whether a guest runs to its end with this accelerator within the bound. */
async function guestRuns(accel: Accel): Promise<boolean> {
  const folder = await recordedTempFolder(buildRecordsDir(defaultCacheDir), 'imger-accel-');
  const dir = folder.path;
  try {
    const disk = join(dir, 'probe.img');
    await writeFile(disk, probeBootSector());
    const args = [
      ...['-accel', accel, '-nodefaults', '-display', 'none', '-no-reboot', '-m', '16'],
      ...['-device', `isa-debug-exit,iobase=${EXIT_PORT},iosize=1`],
      ...['-drive', `file=${disk},format=raw,if=ide`],
    ];
    const expected = (EXIT_BYTE << 1) | 1;
    await runQemu(args, { timeoutMs: PROBE_TIMEOUT_MS, killGraceMs: 1000, okCodes: [expected] });
    return true;
  } catch (error) {
    if (error instanceof CommandFailed) return false;
    throw error;
  } finally {
    await folder.remove();
  }
}

/** A working KVM boots the image's kernel to its init and powers off in seconds; a hanging one never does. */
const KERNEL_PROBE_TIMEOUT_MS = 60_000;

/**
 * Whether the VM image's own kernel boots to its init and powers off with KVM (the init, without a job share,
 * does just that). A boot sector alone is not enough: on the development machine it once passed with KVM, and
 * the real guest then hung.
 */
async function kernelBoots(image: string): Promise<boolean> {
  const folder = await recordedTempFolder(buildRecordsDir(defaultCacheDir), 'imger-accel-');
  const dir = folder.path;
  try {
    const boot = await extractVmKernel(image, dir);
    const args = [
      ...['-accel', 'kvm', '-m', '512', '-nodefaults', '-display', 'none', '-no-reboot'],
      ...['-drive', `file=${qemuValue(image)},format=raw,if=virtio,snapshot=on`],
      ...['-kernel', boot.kernel, '-initrd', boot.initrd],
      ...['-append', `root=/dev/vda${boot.rootPartition} ro init=${GUEST_INIT} panic=-1 quiet`],
    ];
    await runQemu(args, { timeoutMs: KERNEL_PROBE_TIMEOUT_MS, killGraceMs: 1000 });
    return true;
  } catch {
    return false;
  } finally {
    await folder.remove();
  }
}

/** KVM when /dev/kvm is there and probe guests (a boot sector, then the image's kernel) run with it; else TCG. */
export async function chooseAccel(image: string, kvmDevice = '/dev/kvm'): Promise<AccelChoice> {
  const present = await access(kvmDevice).then(
    () => true,
    () => false,
  );
  if (!present) return { accel: 'tcg', why: `no ${kvmDevice}` };
  if (!(await guestRuns('kvm')))
    return { accel: 'tcg', why: `a probe guest did not finish with KVM within ${PROBE_TIMEOUT_MS / 1000} s` };
  if (!(await kernelBoots(image)))
    return {
      accel: 'tcg',
      why: `the VM image's kernel did not boot and power off with KVM within ${KERNEL_PROBE_TIMEOUT_MS / 1000} s`,
    };
  return { accel: 'kvm', why: "probe guests (a boot sector, the image's kernel) ran with KVM" };
}

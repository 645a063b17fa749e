// The kernel and initramfs of the VM image, taken out of its root filesystem for qemu's direct kernel boot:
// firmware and GRUB reading them through BIOS disk calls took most of a TCG boot (121 s against 31 s with
// -kernel/-initrd on the loaded development machine), and the worker, not the image, then says how it boots.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../../builder/exec.ts';

export interface VmKernel {
  kernel: string;
  initrd: string;
  /** The root partition's number, as the guest's virtio disk names it (/dev/vdaN). */
  rootPartition: number;
}

interface SfdiskTable {
  partitiontable: { sectorsize?: number; partitions: { node: string; start: number; name?: string }[] };
}

/** The image's root filesystem as e2fsprogs open it (`IMAGE?offset=N`), and its partition's number. */
export async function vmRootPartition(image: string): Promise<{ device: string; number: number }> {
  const table = (JSON.parse((await run('sfdisk', ['--json', image])).stdout) as SfdiskTable).partitiontable;
  const root = table.partitions.find((partition) => partition.name === 'root');
  if (!root) throw new Error(`${image} has no partition named root`);
  return {
    device: `${image}?offset=${root.start * (table.sectorsize ?? 512)}`,
    number: Number(root.node.match(/(\d+)$/)?.[1]),
  };
}

/** Copies them into `dir`; throws, naming what is missing, when the image is not one `imger vm-image build` made. */
export async function extractVmKernel(image: string, dir: string): Promise<VmKernel> {
  const { device, number } = await vmRootPartition(image);
  const listing = (await run('debugfs', ['-R', 'ls -p /boot', device])).stdout;
  const versions = [...listing.matchAll(/\/vmlinuz-([^/]+)\//g)].map((match) => match[1] as string);
  const version = versions.sort().at(-1);
  if (!version) throw new Error(`${image} has no kernel in /boot`);
  const kernel = join(dir, 'vmlinuz');
  const initrd = join(dir, 'initrd');
  for (const [from, to] of [
    [`/boot/vmlinuz-${version}`, kernel],
    [`/boot/initrd.img-${version}`, initrd],
  ] as const) {
    await run('debugfs', ['-R', `dump ${from} ${to}`, device]);
    // debugfs reports a missing file on stderr and still exits with 0.
    if (!(await stat(to).catch(() => null))?.size) throw new Error(`${image} has no ${from}`);
  }
  return { kernel, initrd, rootPartition: number };
}

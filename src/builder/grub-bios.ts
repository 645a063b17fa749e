// What grub-bios-setup does, done on a disk image file: GRUB's boot.img in the MBR pointing at core.img in
// the BIOS boot partition. grub-install would need the disk as a block device (a loop device); this does not.
import { open, readFile } from 'node:fs/promises';

const bootImgPath = '/usr/lib/grub/i386-pc/boot.img';
/** GRUB_BOOT_MACHINE_KERNEL_SECTOR: the LBA boot.img loads core.img from. */
const kernelSectorOffset = 0x5c;
/** GRUB_BOOT_MACHINE_DRIVE_CHECK: two NOPs make boot.img treat every boot drive as a hard disk. */
const driveCheckOffset = 0x66;
/** The end of the MBR's boot code; the disk signature and partition table after it stay as sfdisk wrote them. */
const mbrCodeBytes = 440;

export async function installGrubBios(
  disk: string,
  coreImg: string,
  startSector: number,
  maxSectors: number,
) {
  const boot = await readFile(bootImgPath);
  const core = await readFile(coreImg);
  const coreSectors = Math.ceil(core.length / 512);
  if (coreSectors > maxSectors) {
    throw new Error(`GRUB core.img needs ${coreSectors} sectors; the BIOS boot partition has ${maxSectors}`);
  }
  boot.writeBigUInt64LE(BigInt(startSector), kernelSectorOffset);
  boot[driveCheckOffset] = 0x90;
  boot[driveCheckOffset + 1] = 0x90;
  // diskboot.img (core.img's first sector) ends with a block list: where the rest of core.img is and its length.
  core.writeBigUInt64LE(BigInt(startSector + 1), 0x200 - 12);
  core.writeUInt16LE(coreSectors - 1, 0x200 - 4);
  const file = await open(disk, 'r+');
  try {
    await file.write(boot, 0, mbrCodeBytes, 0);
    await file.write(core, 0, core.length, startSector * 512);
  } finally {
    await file.close();
  }
}

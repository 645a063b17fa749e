// How to use an image of each type once it is downloaded: the words and commands the job page and a share link
// show beside the file. Kept by the types' definition (image-types.ts) so a new type cannot miss its text.
import { shellWord } from '../client/shell-quote.ts';
import type { Arch } from './arches.ts';
import type { ImageType } from './image-types.ts';

export interface ImageUse {
  /** One or two sentences: what the file is and where it runs. */
  how: string;
  /** Shell lines to run on the downloader's machine, the file name filled in; `#` lines say what the next does. */
  commands: string[];
}

const DISK_TARGET = '/dev/sdX';
const BIOS = '# in qemu, BIOS boot';
const UEFI = '# in qemu, UEFI boot (Debian package ovmf)';
const WRITE = `# onto a real disk or USB stick, as root: ${DISK_TARGET} is that disk`;

/** What to do with `file`, the image of a job of this type and architecture. */
export function imageUse(type: ImageType, arch: Arch | string, file: string): ImageUse {
  const f = shellWord(file);
  const qemu = `qemu-system-${arch === 'i686' ? 'i386' : 'x86_64'} -m 1024 -nographic`;
  const uefi = `${qemu} -machine q35 -bios /usr/share/ovmf/OVMF.fd`;
  // qemu reads a comma in an option's value as the next option unless doubled: a name cannot add drive options.
  const disk = (format: string) =>
    `-drive ${shellWord(`file=${file.replaceAll(',', ',,')},format=${format},if=virtio`)}`;
  const writeTo = `dd if=${f} of=${DISK_TARGET} bs=4M conv=fsync status=progress`;
  const uses: Record<ImageType, () => ImageUse> = {
    raw: () => ({
      how:
        `A whole disk that boots with BIOS and with UEFI (GRUB, console on the serial port). Run it in qemu, or ` +
        `write it to a disk (${DISK_TARGET} is that disk: everything on it is lost).`,
      commands: [BIOS, `${qemu} ${disk('raw')}`, UEFI, `${uefi} ${disk('raw')}`, WRITE, writeTo],
    }),
    qcow2: () => ({
      how: 'A qemu disk that boots with BIOS and with UEFI (console on the serial port); it grows as it is written.',
      commands: [BIOS, `${qemu} ${disk('qcow2')}`, UEFI, `${uefi} ${disk('qcow2')}`],
    }),
    vmdk: () => ({
      how: 'A VMware disk: attach it to a new VMware or VirtualBox machine as its first disk; qemu runs it too.',
      commands: [`${qemu} ${disk('vmdk')}`],
    }),
    vdi: () => ({
      how: 'A VirtualBox disk: make a machine, attach the disk to it and start it (BIOS boot).',
      commands: [
        'VBoxManage createvm --name img --ostype Linux_64 --register',
        'VBoxManage modifyvm img --memory 1024 --uart1 0x3F8 4 --uartmode1 file /tmp/img-serial.log',
        'VBoxManage storagectl img --name SATA --add sata',
        `VBoxManage storageattach img --storagectl SATA --port 0 --type hdd --medium ${f}`,
        'VBoxManage startvm img --type headless',
      ],
    }),
    livecd: () => ({
      how: `A live system on a hybrid ISO: boot it from a virtual CD, or write it to a USB stick (${DISK_TARGET}).`,
      commands: ['# in qemu, as a CD', `${qemu} -cdrom ${f}`, WRITE, writeTo],
    }),
    liveusb: () => ({
      how: `A live system for a USB stick: write it to the stick (${DISK_TARGET}: everything on it is lost), or run it in qemu.`,
      commands: [WRITE, writeTo, '# or in qemu', `${qemu} ${disk('raw')}`],
    }),
    fs: () => ({
      how: 'The root filesystem as an archive, not a bootable disk: unpack it as root (owners kept), then enter it.',
      commands: ['mkdir rootfs', `tar -x --numeric-owner -p -f ${f} -C rootfs`, 'systemd-nspawn -D rootfs'],
    }),
    loop: () => ({
      how: 'One filesystem image, not a bootable disk: mount it, or boot a container from it.',
      commands: [`mount -o loop ${f} /mnt`, `systemd-nspawn -i ${f}`],
    }),
  };
  return uses[type]();
}

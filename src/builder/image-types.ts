// The image types IMG knows, what each needs from the pipeline, and the file names mic gave their output.
import type { Arch } from './arches.ts';
import { BuildFailure } from './failures.ts';

export const imageTypes = ['fs', 'loop', 'raw', 'qcow2', 'vmdk', 'vdi', 'livecd', 'liveusb'] as const;
export type ImageType = (typeof imageTypes)[number];

/** Types IMG accepts by name but only the mic backend can build. */
export const micOnlyImageTypes = ['nand', 'mrstnand'] as const;

export type DiskFormat = 'qcow2' | 'vmdk' | 'vdi';
export type PackFormat = 'tar.zst' | 'tar.gz' | 'tar.bz2';

export interface ImageTypeInfo {
  /** What a user gets, in a sentence: the submit page's help shows it beside the type's name. */
  description: string;
  /** Needs a kernel, an init system and an initramfs in the root. */
  bootable: boolean;
  /** Needs the live-boot initramfs hooks (squashfs root on a hybrid ISO). */
  live: boolean;
  /** Produced by converting the raw disk with qemu-img. */
  convertTo?: DiskFormat;
}

export const imageTypeInfo: Record<ImageType, ImageTypeInfo> = {
  fs: {
    bootable: false,
    live: false,
    description: 'the root file tree packed as a tarball: for containers, chroots or unpacking onto a device',
  },
  loop: {
    bootable: false,
    live: false,
    description:
      'the root filesystem alone (the / partition), without a partition table: mount -o loop it, or flash it',
  },
  raw: {
    bootable: true,
    live: false,
    description: 'a whole disk with partition table and boot loader: dd it to a disk or boot it in qemu',
  },
  qcow2: {
    bootable: true,
    live: false,
    convertTo: 'qcow2',
    description: 'the raw disk as a QEMU/KVM (libvirt, OpenStack) disk file, sparse and compact',
  },
  vmdk: {
    bootable: true,
    live: false,
    convertTo: 'vmdk',
    description: 'the raw disk as a VMware disk file',
  },
  vdi: {
    bootable: true,
    live: false,
    convertTo: 'vdi',
    description: 'the raw disk as a VirtualBox disk file',
  },
  livecd: {
    bootable: true,
    live: true,
    description: 'a live ISO that boots from CD/DVD or as a virtual CD into RAM; nothing is installed',
  },
  liveusb: {
    bootable: true,
    live: true,
    description: 'the live system as a hybrid image to write onto a USB stick with dd',
  },
};

export function isImageType(name: string): name is ImageType {
  return (imageTypes as readonly string[]).includes(name);
}

/** Checks a type name given by a user, before any work starts. */
export function parseImageType(name: string): ImageType {
  if (isImageType(name)) return name;
  if ((micOnlyImageTypes as readonly string[]).includes(name)) {
    throw new BuildFailure(
      'kickstart-error',
      'resolve',
      `image type ${name} is built only by the mic backend (mic create ${name}); the native builder cannot make it`,
    );
  }
  throw new BuildFailure(
    'kickstart-error',
    'resolve',
    `unknown image type ${name}; known types: ${imageTypes.join(', ')}`,
  );
}

/** Whether an image of this type has a partition layout: a live system's filesystems are live-boot's business. */
export function hasLayout(type: ImageType): boolean {
  return type !== 'fs' && !imageTypeInfo[type].live;
}

/** Why an image of this type cannot boot on this architecture: GRUB for BIOS and x86_64 UEFI, isolinux. */
export function bootableArchProblem(type: ImageType, arch: Arch): string | undefined {
  if (!imageTypeInfo[type].bootable || arch === 'x86_64' || arch === 'i686') return undefined;
  return `bootable images are built for x86_64 and i686 only, not ${arch}; build an fs or loop image for ${arch}`;
}

/** The main artifact's file name, as mic named it. */
export function mainArtifactName(type: ImageType, name: string, packTo: PackFormat = 'tar.zst'): string {
  switch (type) {
    case 'fs':
      return `${name}.${packTo}`;
    case 'loop':
      return `${name}.img`;
    case 'raw':
      return `${name}-sda.raw`;
    case 'qcow2':
    case 'vmdk':
    case 'vdi':
      return `${name}-sda.${type}`;
    case 'livecd':
      return `${name}.iso`;
    case 'liveusb':
      return `${name}.usbimg`;
  }
}

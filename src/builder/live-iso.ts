// The live image: the root as a squashfs that live-boot mounts, on a hybrid ISO (isolinux for BIOS, a GRUB
// EFI image for UEFI, an isohybrid MBR and GPT) that boots from CD and from a USB stick alike.
import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { copyIntoFat, madeInSandbox, makeFilesystem } from './filesystems.ts';
import { type BootFiles, copyOutOfImage } from './records.ts';
import type { StepContext } from './runner.ts';
import { capabilities, onHost, type SandboxPlaces } from './sandbox.ts';

export const liveVolumeId = 'IMGLIVE';

/**
 * How the image's initramfs finds its root on the medium: Debian's live-boot (a squashfs in /live, `boot=live`),
 * or dracut's dmsquash-live, as Fedora's live media have it (/LiveOS/squashfs.img, `root=live:CDLABEL=`).
 */
export type LiveBoot = 'live-boot' | 'dracut';

const liveLayout: Record<LiveBoot, { squashfs: string; cmdline: string }> = {
  'live-boot': { squashfs: 'live/filesystem.squashfs', cmdline: 'boot=live' },
  dracut: { squashfs: 'LiveOS/squashfs.img', cmdline: `root=live:CDLABEL=${liveVolumeId} rd.live.image` },
};

export interface LiveInput {
  places: SandboxPlaces;
  boot: BootFiles;
  liveBoot: LiveBoot;
  append: string;
  timeoutS: number;
  workDir: string;
}

/**
 * Stage folder with the squashfs, kernel and initrd; mksquashfs is the slow part of a live build. It reads the
 * root in the sandbox (the image's own owners, symlinks stored as such) and writes into the sandbox's images
 * folder; the kernel and initrd are copied out of the image, never through a symlink.
 */
export async function stageLiveMedia(ctx: StepContext, input: LiveInput): Promise<string> {
  const { places } = input;
  const stage = join(input.workDir, 'live-stage');
  const squashfsPath = liveLayout[input.liveBoot].squashfs;
  await mkdir(join(stage, 'live'), { recursive: true });
  await mkdir(dirname(join(stage, squashfsPath)), { recursive: true });
  const squashfs = join(places.images, 'filesystem.squashfs');
  const mksquashfs = [
    'mksquashfs',
    places.root,
    squashfs,
    '-comp',
    'zstd',
    '-Xcompression-level',
    '3',
    '-b',
    '1M',
    '-noappend',
    '-no-progress',
    // The initrd is on the ISO beside the squashfs; a second copy inside would only cost space.
    '-e',
    `boot/${input.boot.initrd}`,
  ];
  await onHost(ctx, places, mksquashfs, {
    binds: [{ path: places.root }, { path: places.images, writable: true }],
    caps: capabilities.imageReader,
  });
  await rename(await madeInSandbox(squashfs), join(stage, squashfsPath));
  await copyOutOfImage(ctx, places, `/boot/vmlinuz-${input.boot.version}`, join(stage, 'live/vmlinuz'));
  await copyOutOfImage(ctx, places, `/boot/${input.boot.initrd}`, join(stage, 'live/initrd.img'));
  await writeFile(join(stage, `live/${liveVolumeId}.id`), '');
  return stage;
}

export async function makeHybridIso(ctx: StepContext, input: LiveInput, stage: string, output: string) {
  const cmdline = `${liveLayout[input.liveBoot].cmdline} ${input.append}`.trimEnd();
  await mkdir(join(stage, 'isolinux'), { recursive: true });
  await mkdir(join(stage, 'boot/grub'), { recursive: true });
  await copyFile('/usr/lib/ISOLINUX/isolinux.bin', join(stage, 'isolinux/isolinux.bin'));
  await copyFile('/usr/lib/syslinux/modules/bios/ldlinux.c32', join(stage, 'isolinux/ldlinux.c32'));
  await writeFile(
    join(stage, 'isolinux/isolinux.cfg'),
    `SERIAL 0 115200\nPROMPT 0\nTIMEOUT ${Math.max(1, input.timeoutS * 10)}\nDEFAULT live\nLABEL live\n  LINUX /live/vmlinuz\n  INITRD /live/initrd.img\n  APPEND ${cmdline}\n`,
  );
  await writeFile(
    join(stage, 'boot/grub/grub.cfg'),
    `serial --unit=0 --speed=115200\nterminal_input serial console\nterminal_output serial console\nset timeout=${input.timeoutS}\nmenuentry "Live" {\n  linux /live/vmlinuz ${cmdline}\n  initrd /live/initrd.img\n}\n`,
  );
  const early = join(input.workDir, 'live-early.cfg');
  await writeFile(
    early,
    `search --no-floppy --file --set=root /live/${liveVolumeId}.id\nset prefix=($root)/boot/grub\nconfigfile $prefix/grub.cfg\n`,
  );
  const efiDir = join(input.workDir, 'live-efi');
  await mkdir(join(efiDir, 'EFI/BOOT'), { recursive: true });
  await ctx.run('grub-mkimage', [
    '-O',
    'x86_64-efi',
    '-o',
    join(efiDir, 'EFI/BOOT/BOOTX64.EFI'),
    '-p',
    '/boot/grub',
    '-c',
    early,
    ...[
      'part_gpt',
      'part_msdos',
      'iso9660',
      'fat',
      'search',
      'search_fs_file',
      'normal',
      'linux',
      'configfile',
    ],
    ...['echo', 'test', 'gzio', 'serial', 'terminal', 'efi_gop', 'all_video'],
  ]);
  const efiImage = join(stage, 'boot/grub/efi.img');
  // Firmware finds this image through the El Torito catalogue, never by its volume id, so a fixed one will do.
  await makeFilesystem(
    ctx,
    { mountpoint: '/boot/efi', fstype: 'vfat', uuid: 'A1B2-C3D4', label: 'EFIBOOT', minMiB: 4 },
    efiImage,
    4,
  );
  await copyIntoFat(ctx, efiImage, efiDir);
  await ctx.run('xorriso', [
    '-as',
    'mkisofs',
    '-quiet',
    '-o',
    output,
    '-V',
    liveVolumeId,
    '-r',
    '-J',
    '-joliet-long',
    '-isohybrid-mbr',
    '/usr/lib/ISOLINUX/isohdpfx.bin',
    '-c',
    'isolinux/boot.cat',
    '-b',
    'isolinux/isolinux.bin',
    '-no-emul-boot',
    '-boot-load-size',
    '4',
    '-boot-info-table',
    '-eltorito-alt-boot',
    '-e',
    'boot/grub/efi.img',
    '-no-emul-boot',
    '-isohybrid-gpt-basdat',
    stage,
  ]);
}

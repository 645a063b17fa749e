// The initramfs of a bootable rpm root. On Fedora, Alma and their kin the kernel package's scriptlet runs
// kernel-install, whose dracut plugin makes /boot/initramfs-VERSION.img while packages install (/proc, /sys
// and /dev are there: rpm-root.ts). That one is host-only by the distribution's default: made for the machine
// it runs on, which here is the build sandbox. So where the image has dracut, it is made again, generic
// (--no-hostonly) and for a live medium with dmsquash-live, as livemedia-creator does; a root without dracut
// keeps what its scriptlets made; a root with neither is the kickstart's to fix.
import { BuildFailure } from './failures.ts';
import { findInitrd, kernelVersions } from './records.ts';
import type { StepContext } from './runner.ts';
import { capabilities, inImage, type SandboxPlaces } from './sandbox.ts';

const dracutPaths = ['/usr/bin/dracut', '/usr/sbin/dracut'];

async function imageHasDracut(ctx: StepContext, places: SandboxPlaces): Promise<boolean> {
  const { stdout } = await inImage(
    ctx,
    places,
    ['sh', '-c', 'for p; do [ -x "$p" ] && echo yes; done; true', 'sh', ...dracutPaths],
    { caps: capabilities.none, onLine: () => {} },
  );
  return stdout.includes('yes');
}

/** Each kernel of the root gets an initramfs: the image's dracut's, or the one its scriptlets made. */
export async function provideRpmInitramfs(
  ctx: StepContext,
  places: SandboxPlaces,
  live: boolean,
): Promise<void> {
  const kernels = await kernelVersions(ctx, places);
  if (kernels.length === 0) {
    throw new BuildFailure(
      'kickstart-error',
      'bootstrap',
      'a bootable image needs a kernel, and the packages put no vmlinuz-VERSION in /boot (is the kernel package in the repositories?)',
    );
  }
  const dracut = await imageHasDracut(ctx, places);
  for (const kernel of kernels) {
    const made = await findInitrd(ctx, places, kernel);
    if (made && !dracut) {
      ctx.log(`kernel ${kernel}: the packages' scriptlets made /boot/${made}`);
      continue;
    }
    if (!dracut) {
      throw new BuildFailure(
        'kickstart-error',
        'bootstrap',
        `kernel ${kernel} has no initramfs in /boot and the image has no dracut to make one: add dracut (or the distribution's initramfs generator) to %packages`,
      );
    }
    ctx.log(`kernel ${kernel}: making /boot/initramfs-${kernel}.img with the image's dracut`);
    await inImage(
      ctx,
      places,
      [
        'dracut',
        '--no-hostonly',
        ...(live ? ['--add', 'dmsquash-live'] : []),
        '--force',
        `/boot/${made ?? `initramfs-${kernel}.img`}`,
        kernel,
      ],
      { caps: capabilities.imageAdmin, env: { LANG: 'C.UTF-8' } },
    );
  }
}

// The initramfs of a bootable rpm root. On Fedora, Alma and their kin the kernel package's scriptlet runs
// kernel-install, whose dracut plugin makes /boot/initramfs-VERSION.img while packages install (/proc, /sys
// and /dev are there: rpm-root.ts). A root whose scriptlets made none gets one from the image's own dracut,
// generic rather than for the build host's hardware (--no-hostonly), as livemedia-creator and mic make theirs;
// a root with neither is the kickstart's to fix.
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

/** Each kernel of the root gets an initramfs: the one its scriptlets made, or the image's dracut's. */
export async function provideRpmInitramfs(ctx: StepContext, places: SandboxPlaces): Promise<void> {
  const kernels = await kernelVersions(ctx, places);
  if (kernels.length === 0) {
    throw new BuildFailure(
      'kickstart-error',
      'bootstrap',
      'a bootable image needs a kernel, and the packages put no vmlinuz-VERSION in /boot (is the kernel package in the repositories?)',
    );
  }
  for (const kernel of kernels) {
    const made = await findInitrd(ctx, places, kernel);
    if (made) {
      ctx.log(`kernel ${kernel}: the packages' scriptlets made /boot/${made}`);
      continue;
    }
    if (!(await imageHasDracut(ctx, places))) {
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
      ['dracut', '--no-hostonly', '--force', `/boot/initramfs-${kernel}.img`, kernel],
      { caps: capabilities.imageAdmin, env: { LANG: 'C.UTF-8' } },
    );
  }
}

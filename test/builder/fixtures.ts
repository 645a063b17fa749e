// The minimal image the integration tests build: the shipped debian-minimal template with a user and a %post
// that leaves a marker the boot tests look for on the serial console.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveKickstart } from '../../src/builder/from-kickstart.ts';
import type { ImageType } from '../../src/builder/image-types.ts';
import type { ImageRecipe } from '../../src/builder/recipe.ts';

export const bootMarker = 'IMG-BOOT-OK';

export const markerPost = `set -eu
echo "IMG-MARKER name=$IMG_NAME" > /etc/img-marker
cat > /etc/systemd/system/img-marker.service <<'UNIT'
[Unit]
Description=Image boot marker
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'echo "${bootMarker} $(cat /etc/img-marker)" > /dev/console'
[Install]
WantedBy=multi-user.target
UNIT
`;

/**
 * The shipped minimal template, as every test builds it: through the kickstart and the resolve step, plus what
 * the tests need (a user, a host name the login prompt shows, the boot marker, and live-boot so that every type
 * shares one package set).
 */
export const minimalKickstart = `${readFileSync(join(import.meta.dirname, '../../templates/debian-minimal.ks'), 'utf8')}
user --name=demo --groups=sudo --password=demopw
network --hostname=imgtest
# Made by the %post below: enabled after it, as mic does (the boot tests see the marker only if it was).
services --enabled=img-marker
%packages
sudo
live-boot
%end
%post --erroronfail
${markerPost}%end
`;

export async function minimalRecipe(
  type: ImageType,
  outputDir: string,
  name = 'minimal',
): Promise<ImageRecipe> {
  const { recipe } = await resolveKickstart(
    { kickstart: minimalKickstart, type, arch: 'x86_64', name, outputDir },
    AbortSignal.timeout(60_000),
  );
  // Bootable whatever the type, so that fs and loop reuse the base root the disk images bootstrap.
  return { ...recipe, bootable: true };
}

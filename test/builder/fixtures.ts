// The minimal image the integration tests build: a small bootable Debian with a root password, a user,
// and a %post that leaves a marker the boot tests look for on the serial console.

import type { ImageType } from '../../src/builder/image-types.ts';
import { baseRecipe, type ImageRecipe } from '../../src/builder/recipe.ts';

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
systemctl enable img-marker.service
`;

export function minimalRecipe(type: ImageType, outputDir: string, name = 'minimal'): ImageRecipe {
  return {
    ...baseRecipe(type, 'x86_64', name, outputDir),
    // live-boot and bootable: every type shares one package set, so the tests bootstrap once.
    packages: ['iproute2', 'sudo', 'live-boot'],
    bootable: true,
    hostname: 'imgtest',
    timezone: 'UTC',
    rootPassword: { kind: 'plain', value: 'rootpw' },
    users: [{ name: 'demo', groups: ['sudo'], password: { kind: 'plain', value: 'demopw' } }],
    scripts: [{ kind: 'post', body: markerPost, interpreter: '/bin/sh', nochroot: false, erroronfail: true }],
  };
}

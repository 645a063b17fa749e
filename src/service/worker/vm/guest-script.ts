// The script a build VM runs for one build, written by the worker into the job's read-only share and started
// by the image's init (templates/vm/build-vm.ks). It is IMG's, not the image's, so that what the guest does
// changes with IMG and the image only holds the tools. Every value in it is quoted here, by the host.

import { shellWord } from '../../../contract/shell-quote.ts';

export interface GuestShare {
  /** The 9p mount tag. */
  tag: string;
  /** Where the guest mounts it: the host's own path, so every path IMG computes means the same inside. */
  path: string;
  readOnly: boolean;
}

export interface GuestScriptInput {
  shares: readonly GuestShare[];
  /** The host cache's share, under an overlay in the guest: read, never written back through the share. */
  cache: { tag: string; path: string } | null;
  network: boolean;
  /** The virtio-serial port the child's stdout goes to. */
  portName: string;
  node: string;
  /** The child's arguments after node (tsx's import and the entry, or the compiled entry). */
  args: readonly string[];
  /** The job's folder: the child's working folder and its output folder. */
  outputDir: string;
  /** Where the order lies in the guest. */
  orderPath: string;
}

/** The user-mode network qemu's slirp gives every guest. */
const SLIRP = { address: '10.0.2.15/24', gateway: '10.0.2.2', dns: '10.0.2.3' } as const;

export function guestScript(input: GuestScriptInput): string {
  const q = shellWord;
  // What is read-only cannot change under the guest: its pages and names may be cached (node's module lookups
  // are stat calls, each a round trip over 9p otherwise).
  const mount9p = (tag: string, path: string, readOnly: boolean): string =>
    `mkdir -p ${q(path)} && mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288${readOnly ? ',ro,cache=loose' : ''} ${q(tag)} ${q(path)}`;
  const lines = [
    '#!/bin/sh',
    '# One build in a throwaway VM (written by the worker: src/service/worker/vm/guest-script.ts).',
    'set -e',
    'mkdir -p /dev/shm /dev/pts',
    'mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm',
    'mount -t devpts -o gid=5,mode=620 devpts /dev/pts',
    'mount -t tmpfs -o mode=1777 tmpfs /tmp',
    'modprobe virtio_console',
    'ip link set lo up',
    ...input.shares.map((share) => mount9p(share.tag, share.path, share.readOnly)),
  ];
  if (input.cache) {
    const lower = '/run/img-cache';
    lines.push(
      mount9p(input.cache.tag, lower, true),
      'mkdir -p /var/tmp/img-cache/upper /var/tmp/img-cache/work',
      `mkdir -p ${q(input.cache.path)}`,
      `mount -t overlay -o lowerdir=${lower},upperdir=/var/tmp/img-cache/upper,workdir=/var/tmp/img-cache/work overlay ${q(input.cache.path)}`,
    );
  }
  if (input.network) {
    lines.push(
      'modprobe virtio_net',
      'ip link set eth0 up',
      `ip address add ${SLIRP.address} dev eth0`,
      `ip route add default via ${SLIRP.gateway}`,
      'rm -f /etc/resolv.conf',
      `echo 'nameserver ${SLIRP.dns}' > /etc/resolv.conf`,
    );
  }
  lines.push(
    'port=',
    'for p in /sys/class/virtio-ports/*; do',
    `  if [ "$(cat "$p/name")" = ${q(input.portName)} ]; then port=/dev/\${p##*/}; fi`,
    'done',
    `cd ${q(input.outputDir)}`,
    'echo "img-vm: starting the build child"',
    'set +e',
    `TMPDIR=/var/tmp ${[input.node, ...input.args].map(q).join(' ')} < ${q(input.orderPath)} > "$port"`,
    'echo "img-vm: the build child exited with $?"',
    '',
  );
  return lines.join('\n');
}

// A small bootable rpm distribution, made by the tests from what a Debian build host has (no rpm mirror is
// reachable here): Debian's kernel and a subset of its modules, the host's static busybox as the userland
// with an init that gives a login prompt on the serial console, an initramfs generator that the kernel
// package's %posttrans runs through kernel-install as Fedora's does, comps.xml with a group, createrepo_c.
// For the %packages options and system settings: a weak dependency, translations marked %lang, a policy
// package's SELinux config, and a stand-in for firewalld's offline command.
// Built once per inputs into the shared test cache (the kernel's SHA-256 from the apt index, busybox's and this
// file's), then served over HTTP on loopback. The builder is told only the URL.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  chmod,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, normalize } from 'node:path';
import { run } from '../../src/builder/exec.ts';

const busyboxPath = '/usr/bin/busybox';
const kernelMeta = 'linux-image-amd64';

/** The modules the image's initramfs and a live medium need (their dependencies come along). */
const wantedModules = [
  'virtio_pci',
  'virtio_blk',
  'virtio_scsi',
  'ext4',
  'crc32c_generic',
  'vfat',
  'nls_cp437',
  'nls_ascii',
  'isofs',
  'squashfs',
  'overlay',
  'loop',
  'sr_mod',
  'ata_piix',
  'ahci',
  'sd_mod',
];

/** The marker a test repository's package writes where --excludedocs must leave nothing. */
export const docFile = '/usr/share/doc/imgtest-docs/README';

/** imgtest-docs' translations, marked %lang: --inst-langs keeps only those named. */
export const translations = {
  de: '/usr/share/locale/de/LC_MESSAGES/imgtest.mo',
  fr: '/usr/share/locale/fr/LC_MESSAGES/imgtest.mo',
};

/** Where the repository's firewalld stand-in records the arguments it was run with, one per line. */
export const firewallArgsFile = '/etc/firewalld/imgtest-offline-cmd.args';

interface PackageSpec {
  name: string;
  arch?: 'noarch';
  requires?: string[];
  /** Weak dependencies: dnf installs them unless told not to. */
  recommends?: string[];
  provides?: string[];
  /** Files marked %lang(LANG), as path → language. */
  langs?: Record<string, string>;
  /** Files under the package's root: path → content (a string) or a symlink ({ link }), or a mode. */
  files: Record<string, string | { link: string } | { text: string; mode: number }>;
  /** Folders the package owns (only `filesystem` owns the top ones). */
  dirs?: string[];
  docs?: string[];
  scripts?: string;
}

const initScript = `#!/bin/sh
# imgtest initramfs: modules, then the root named by root= (a disk by UUID, or a live medium by label).
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules.load); do modprobe "$m" 2>/dev/null; done
root=; rw=ro
for arg in $(cat /proc/cmdline); do
  case $arg in root=*) root=\${arg#root=} ;; rw) rw=rw ;; esac
done
find_dev() { i=0; while [ $i -lt 60 ]; do d=$(findfs "$1" 2>/dev/null) && { echo "$d"; return 0; }; sleep 0.5; i=$((i+1)); done; return 1; }
mkdir -p /sysroot
case $root in
  live:CDLABEL=*)
    dev=$(find_dev "LABEL=\${root#live:CDLABEL=}") || { echo "imgtest-initramfs: no live medium"; exec sh; }
    mkdir -p /run/iso /run/squash /run/overlay
    mount -t iso9660 -o ro "$dev" /run/iso
    mount -t squashfs -o ro /run/iso/LiveOS/squashfs.img /run/squash
    mount -t tmpfs tmpfs /run/overlay
    mkdir -p /run/overlay/upper /run/overlay/work
    mount -t overlay overlay -o lowerdir=/run/squash,upperdir=/run/overlay/upper,workdir=/run/overlay/work /sysroot
    ;;
  UUID=*|LABEL=*)
    dev=$(find_dev "$root") || { echo "imgtest-initramfs: no root $root"; exec sh; }
    mount -o "$rw" "$dev" /sysroot || { echo "imgtest-initramfs: cannot mount $dev"; exec sh; }
    ;;
  *) echo "imgtest-initramfs: root=$root is not understood"; exec sh ;;
esac
umount /proc /sys
mount --move /dev /sysroot/dev 2>/dev/null || umount /dev
exec switch_root /sysroot /sbin/init
`;

/** What kernel-install does on Fedora: the kernel into /boot, an initramfs made for it (here by imgtest-mkinitrd). */
const kernelInstall = `#!/bin/sh
set -e
command=$1 version=$2 image=$3
case $command in
  add)
    cp "$image" "/boot/vmlinuz-$version"
    /usr/sbin/imgtest-mkinitrd "$version" "/boot/initramfs-$version.img"
    ;;
  remove) rm -f "/boot/vmlinuz-$version" "/boot/initramfs-$version.img" ;;
esac
`;

const mkinitrd = `#!/bin/sh
# imgtest-mkinitrd VERSION OUTPUT: busybox, the kernel's modules and /init, as a gzip'd cpio.
set -e
version=$1 out=$2
stage=$(mktemp -d)
mkdir -p "$stage/bin" "$stage/proc" "$stage/sys" "$stage/dev" "$stage/run" "$stage/lib/modules"
cp /usr/bin/busybox "$stage/bin/busybox"
for applet in $(busybox --list); do [ "$applet" = busybox ] || ln -s busybox "$stage/bin/$applet"; done
cp -a "/lib/modules/$version" "$stage/lib/modules/$version"
cp /usr/lib/imgtest-initramfs/init "$stage/init"
cp /usr/lib/imgtest-initramfs/modules.load "$stage/modules.load"
chmod 755 "$stage/init"
(cd "$stage" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$out"
rm -rf "$stage"
echo "imgtest-mkinitrd: made $out"
`;

const inittab = `::sysinit:/etc/rc.sysinit
ttyS0::respawn:/usr/bin/getty -L 115200 ttyS0 vt100
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/umount -a -r
`;

const rcSysinit = `#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
mount -o remount,rw /
mount -t tmpfs tmpfs /run
[ -f /etc/hostname ] && hostname -F /etc/hostname
for script in /etc/rc.d/*.sh; do [ -f "$script" ] && sh "$script"; done
true
`;

/** Stand-ins for shadow-utils' chpasswd and usermod -L, on busybox's mkpasswd, as the builder runs them. */
const chpasswd = `#!/bin/sh
set -e
encrypted=no
[ "$1" = -e ] && encrypted=yes
while IFS=: read -r user password; do
  [ -n "$user" ] || continue
  if [ $encrypted = yes ]; then hash=$password; else hash=$(mkpasswd -m sha512 "$password"); fi
  tmp=$(mktemp)
  awk -F: -v OFS=: -v u="$user" -v h="$hash" '$1 == u { $2 = h } { print }' /etc/shadow > "$tmp"
  cat "$tmp" > /etc/shadow
  rm -f "$tmp"
done
`;

/**
 * Stands in for firewalld's firewall-offline-cmd (real firewalld needs Python, which this image has not): it
 * records how the builder ran it.
 */
const firewallOfflineCmd = `#!/bin/sh
mkdir -p /etc/firewalld
printf '%s\\n' "$@" > ${firewallArgsFile}
`;

const usermod = `#!/bin/sh
set -e
[ "$1" = -L ] || { echo "usermod: only -L is supported" >&2; exit 2; }
tmp=$(mktemp)
awk -F: -v OFS=: -v u="$2" '$1 == u && substr($2, 1, 1) != "!" { $2 = "!" $2 } { print }' /etc/shadow > "$tmp"
cat "$tmp" > /etc/shadow
rm -f "$tmp"
`;

function packages(kernel: { version: string; tree: string }, applets: string[]): PackageSpec[] {
  const top = ['boot', 'dev', 'etc', 'home', 'mnt', 'proc', 'root', 'run', 'sys', 'tmp', 'var', 'var/tmp'];
  return [
    {
      name: 'filesystem',
      arch: 'noarch',
      dirs: [...top, 'usr', 'usr/bin', 'usr/sbin', 'usr/lib', 'usr/lib64', 'usr/share', 'etc/rc.d'],
      files: {
        bin: { link: 'usr/bin' },
        sbin: { link: 'usr/sbin' },
        lib: { link: 'usr/lib' },
        lib64: { link: 'usr/lib64' },
      },
    },
    {
      name: 'busybox',
      requires: ['filesystem'],
      provides: ['/bin/sh', '/usr/bin/sh'],
      files: {
        'usr/bin/busybox': { text: '@busybox', mode: 0o755 },
        ...Object.fromEntries(applets.map((applet) => [`usr/bin/${applet}`, { link: 'busybox' }])),
      },
    },
    {
      name: 'imgtest-init',
      arch: 'noarch',
      requires: ['busybox'],
      recommends: ['imgtest-weak'],
      files: {
        'usr/sbin/init': { link: '../bin/busybox' },
        'etc/inittab': inittab,
        'etc/rc.sysinit': { text: rcSysinit, mode: 0o755 },
        'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n',
        'etc/group': 'root:x:0:\n',
        'etc/shadow': { text: 'root:*:19000:0:99999:7:::\n', mode: 0o600 },
        'etc/issue': 'imgtest rpm image\n',
      },
    },
    {
      name: 'shadow-utils',
      arch: 'noarch',
      requires: ['busybox'],
      files: {
        'usr/sbin/chpasswd': { text: chpasswd, mode: 0o755 },
        'usr/sbin/usermod': { text: usermod, mode: 0o755 },
      },
    },
    {
      name: 'imgtest-initramfs',
      arch: 'noarch',
      requires: ['busybox'],
      provides: ['/usr/bin/kernel-install'],
      files: {
        'usr/bin/kernel-install': { text: kernelInstall, mode: 0o755 },
        'usr/sbin/imgtest-mkinitrd': { text: mkinitrd, mode: 0o755 },
        'usr/lib/imgtest-initramfs/init': { text: initScript, mode: 0o755 },
        'usr/lib/imgtest-initramfs/modules.load': `${wantedModules.join('\n')}\n`,
      },
    },
    {
      name: 'kernel',
      requires: ['/usr/bin/kernel-install'],
      files: { [`usr/lib/modules/${kernel.version}`]: `@tree:${kernel.tree}` },
      scripts: `%posttrans\n/usr/bin/kernel-install add ${kernel.version} /lib/modules/${kernel.version}/vmlinuz\n%postun\n[ "$1" -gt 0 ] || /usr/bin/kernel-install remove ${kernel.version}\n`,
    },
    {
      name: 'imgtest-docs',
      arch: 'noarch',
      files: { 'usr/share/imgtest/docs.txt': 'documented\n' },
      docs: ['README'],
      langs: Object.fromEntries(Object.entries(translations).map(([lang, path]) => [path, lang])),
    },
    { name: 'imgtest-extra', arch: 'noarch', files: { 'usr/share/imgtest/extra.txt': 'extra\n' } },
    { name: 'imgtest-weak', arch: 'noarch', files: { 'usr/share/imgtest/weak.txt': 'weak\n' } },
    {
      name: 'firewalld',
      arch: 'noarch',
      requires: ['busybox'],
      files: { 'usr/bin/firewall-offline-cmd': { text: firewallOfflineCmd, mode: 0o755 } },
    },
    {
      // What a policy package ships that the builder reads: its config, in force.
      name: 'selinux-policy',
      arch: 'noarch',
      files: { 'etc/selinux/config': 'SELINUX=enforcing\nSELINUXTYPE=targeted\n' },
    },
  ];
}

const groupPackages = ['busybox', 'imgtest-init', 'shadow-utils', 'imgtest-initramfs', 'imgtest-extra'];

const comps = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
<comps>
  <group>
    <id>core</id>
    <name>Core</name>
    <description>The smallest bootable imgtest system.</description>
    <default>true</default>
    <uservisible>false</uservisible>
    <packagelist>
${groupPackages.map((name) => `      <packagereq type="mandatory">${name}</packagereq>`).join('\n')}
    </packagelist>
  </group>
</comps>
`;

function specText(pkg: PackageSpec, root: string, fileList: string): string {
  return `Name: ${pkg.name}
Version: 1.0
Release: 1
License: MIT
Summary: imgtest ${pkg.name}
${pkg.arch ? `BuildArch: ${pkg.arch}\n` : ''}AutoReqProv: no
${(pkg.requires ?? []).map((r) => `Requires: ${r}\n`).join('')}${(pkg.recommends ?? []).map((r) => `Recommends: ${r}\n`).join('')}${(pkg.provides ?? []).map((p) => `Provides: ${p}\n`).join('')}%define __os_install_post %{nil}
%define debug_package %{nil}
%description
imgtest ${pkg.name}.
%install
mkdir -p %{buildroot}
cp -a ${root}/. %{buildroot}/
${pkg.docs ? `mkdir -p %{buildroot}/usr/share/doc/${pkg.name}\n${pkg.docs.map((d) => `echo doc > %{buildroot}/usr/share/doc/${pkg.name}/${d}`).join('\n')}\n` : ''}%files -f ${fileList}
${(pkg.docs ?? []).map((d) => `%doc /usr/share/doc/${pkg.name}/${d}`).join('\n')}
${Object.entries(pkg.langs ?? {})
  .map(([path, lang]) => `%lang(${lang}) ${path}`)
  .join('\n')}
${pkg.scripts ?? ''}
`;
}

/** Lays a package's files out under `root` and returns the rpm file list for them. */
async function stagePackage(pkg: PackageSpec, root: string): Promise<string> {
  const lines: string[] = [];
  for (const dir of pkg.dirs ?? []) {
    await mkdir(join(root, dir), { recursive: true });
    lines.push(`%dir /${dir}`);
  }
  for (const [path, content] of Object.entries(pkg.files)) {
    const target = join(root, path);
    await mkdir(dirname(target), { recursive: true });
    if (typeof content === 'string' && content.startsWith('@tree:')) {
      await cp(content.slice('@tree:'.length), target, { recursive: true });
      lines.push(`/${path}`);
      continue;
    }
    if (typeof content === 'object' && 'link' in content) {
      await symlink(content.link, target);
    } else {
      const text = typeof content === 'string' ? content : content.text;
      if (text === '@busybox') await cp(busyboxPath, target);
      else await writeFile(target, text);
      await chmod(target, typeof content === 'string' ? 0o644 : content.mode);
    }
    lines.push(`/${path}`);
  }
  for (const [path, lang] of Object.entries(pkg.langs ?? {})) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), `${lang}\n`);
  }
  return `${lines.join('\n')}\n`;
}

/** The Debian kernel the host's apt would install now: its package and the SHA-256 its index gives. */
async function kernelCandidate(): Promise<{ name: string; sha256: string }> {
  const depends = (await run('apt-cache', ['depends', kernelMeta])).stdout;
  const name = /Depends: (linux-image-\S+)/.exec(depends)?.[1];
  if (!name) throw new Error(`apt-cache depends ${kernelMeta} names no kernel`);
  const show = (await run('apt-cache', ['show', '--no-all-versions', name])).stdout;
  const sha256 = /^SHA256: (\S+)$/m.exec(show)?.[1];
  if (!sha256) throw new Error(`apt-cache show ${name} gives no SHA256`);
  return { name, sha256 };
}

/** The kernel and the modules the image needs (with their dependencies), depmod'ed, in `dest`. */
async function stageKernel(name: string, scratch: string, dest: string): Promise<string> {
  await run('apt-get', ['download', name], { cwd: scratch });
  const deb = (await readdir(scratch)).find((file) => file.endsWith('.deb'))!;
  const tree = join(scratch, 'deb');
  await run('dpkg-deb', ['-x', join(scratch, deb), tree]);
  const version = (await readdir(join(tree, 'lib/modules')))[0]!;
  const modules = join(tree, 'lib/modules', version);
  await run('busybox', ['depmod', '-b', tree, version]);
  const dep = new Map<string, string[]>();
  for (const line of (await readFile(join(modules, 'modules.dep'), 'utf8')).split('\n')) {
    const [path, deps] = line.split(':');
    if (path) dep.set(path, (deps ?? '').trim().split(/\s+/).filter(Boolean));
  }
  const byName = new Map([...dep.keys()].map((path) => [path.split('/').pop()!.replace(/\.ko$/, ''), path]));
  const needed = new Set<string>();
  const pending = wantedModules
    .map((module) => byName.get(module))
    .filter((p): p is string => p !== undefined);
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (needed.has(path)) continue;
    needed.add(path);
    pending.push(...(dep.get(path) ?? []));
  }
  const out = join(dest, version);
  for (const path of needed) {
    await mkdir(dirname(join(out, path)), { recursive: true });
    await cp(join(modules, path), join(out, path));
  }
  for (const file of ['modules.builtin', 'modules.builtin.modinfo', 'modules.order']) {
    await cp(join(modules, file), join(out, file));
  }
  await cp(join(tree, 'boot', `vmlinuz-${version}`), join(out, 'vmlinuz'));
  // depmod over the subset, in a tree of its own so the paths are those of the image.
  const sub = join(scratch, 'sub');
  await mkdir(join(sub, 'lib/modules'), { recursive: true });
  await rename(out, join(sub, 'lib/modules', version));
  await run('busybox', ['depmod', '-b', sub, version]);
  await rename(join(sub, 'lib/modules', version), out);
  return version;
}

async function digestOf(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/**
 * The repository folder (repodata, comps, the rpms), made when the cache has none for these inputs. The first
 * test process that needs it makes it; a concurrent one makes its own and the rename keeps one.
 */
export async function testRpmRepo(cacheDir: string): Promise<string> {
  const kernel = await kernelCandidate();
  const key = createHash('sha256')
    .update(kernel.sha256)
    .update(await digestOf(busyboxPath))
    .update(await readFile(import.meta.filename))
    .digest('hex')
    .slice(0, 24);
  const repo = join(cacheDir, 'test-rpm-repo', key);
  if (await stat(join(repo, 'repodata/repomd.xml')).catch(() => undefined)) return repo;
  await mkdir(dirname(repo), { recursive: true });
  const work = await mkdtemp(join(dirname(repo), 'making-'));
  try {
    const version = await stageKernel(
      kernel.name,
      await mkdtemp(join(work, 'kernel-')),
      join(work, 'modules'),
    );
    const applets = (await run(busyboxPath, ['--list'])).stdout
      .split('\n')
      .filter((applet) => applet !== '' && applet !== 'busybox');
    const top = join(work, 'rpmbuild');
    const made = join(work, 'repo');
    await mkdir(made, { recursive: true });
    for (const pkg of packages({ version, tree: join(work, 'modules', version) }, applets)) {
      const root = join(work, 'stage', pkg.name);
      await mkdir(root, { recursive: true });
      const fileList = join(work, `${pkg.name}.files`);
      await writeFile(fileList, await stagePackage(pkg, root));
      const spec = join(work, `${pkg.name}.spec`);
      await writeFile(spec, specText(pkg, root, fileList));
      await run('rpmbuild', ['--quiet', '--define', `_topdir ${top}`, '-bb', spec]);
    }
    for (const arch of await readdir(join(top, 'RPMS'))) {
      for (const rpm of await readdir(join(top, 'RPMS', arch)))
        await rename(join(top, 'RPMS', arch, rpm), join(made, rpm));
    }
    await writeFile(join(work, 'comps.xml'), comps);
    await run('createrepo_c', ['-q', '-g', join(work, 'comps.xml'), made]);
    await rename(made, repo).catch(async (error) => {
      if (!(await stat(join(repo, 'repodata/repomd.xml')).catch(() => undefined))) throw error;
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return repo;
}

/** Serves a folder over HTTP on loopback (GET of its files only); close() when done. */
export async function serveFolder(folder: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    const file = join(folder, path);
    if (!file.startsWith(`${folder}/`)) {
      response.writeHead(404).end();
      return;
    }
    stat(file).then(
      (info) => {
        if (!info.isFile()) return response.writeHead(404).end();
        response.writeHead(200, { 'content-length': info.size });
        createReadStream(file).pipe(response);
      },
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// The files every build leaves beside its image: the package list, mic's virt-image XML for raw disks,
// the attachments, and SHA256SUMS over all of them. What comes out of the image is read inside it, in the
// sandbox, so a symlink a package planted resolves inside the image and never on the build host.
import { lstat, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ManifestPackage } from '../contract/manifest.ts';
import { digestFile, type FileDigest } from './file-digest.ts';
import { shown } from './out-folder.ts';
import { rpmDbPath } from './rpm-root.ts';
import type { StepContext } from './runner.ts';
import { capabilities, inImage, onHost, type SandboxPlaces } from './sandbox.ts';

/** Installed packages with versions, like mic's --record-pkgs=name, as the image's own dpkg lists them. */
export async function writePackageList(
  ctx: StepContext,
  places: SandboxPlaces,
  output: string,
): Promise<ManifestPackage[]> {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax, not a template.
  const format = '${db:Status-Status} ${Package} ${Version} ${Architecture}\\n';
  const { stdout } = await inImage(ctx, places, ['dpkg-query', '-W', '-f', format], {
    caps: capabilities.none,
    onLine: () => {},
  });
  const packages = stdout
    .split('\n')
    .filter((line) => line.startsWith('installed '))
    .map((line) => {
      const [, name = '', version = '', arch = ''] = line.split(' ');
      return { name, version, arch };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines = packages.map((p) => `${p.name} ${p.version}`).sort();
  await writeFile(output, `${lines.join('\n')}\n`);
  return packages;
}

/** The packages of an rpm root, from its database read by the host's rpm in the sandbox. */
export async function writeRpmPackageList(
  ctx: StepContext,
  places: SandboxPlaces,
  output: string,
): Promise<ManifestPackage[]> {
  const query = ['rpm', '--root', places.root, '--dbpath', rpmDbPath, '-qa', '--qf', rpmFormat];
  const { stdout } = await onHost(ctx, places, query, {
    binds: [{ path: places.root, writable: true }],
    caps: capabilities.imageReader,
    onLine: () => {},
  });
  const packages = stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [name = '', version = '', arch = ''] = line.split(' ');
      // rpm's "(none)": the gpg-pubkey entries of imported keys.
      return { name, version, arch: arch === '(none)' ? '' : arch };
    });
  // The list as `rpm -qa` prints it: NAME-VERSION-RELEASE.ARCH.
  const lines = packages.map((p) => `${p.name}-${p.version}${p.arch ? `.${p.arch}` : ''}`).sort();
  await writeFile(output, `${lines.join('\n')}\n`);
  return packages;
}

const rpmFormat = '%{NAME} %{VERSION}-%{RELEASE} %{ARCH}\\n';

/**
 * The kernel versions in the image's /boot (regular files vmlinuz-VERSION), oldest first; only names safe in a
 * path, since a version ends up in the boot loader's configuration and in file names.
 */
export async function kernelVersions(ctx: StepContext, places: SandboxPlaces): Promise<string[]> {
  const { stdout } = await inImage(
    ctx,
    places,
    [
      'sh',
      '-c',
      'cd /boot && for f in vmlinuz-*; do [ -f "$f" ] && [ ! -L "$f" ] && printf "%s\\n" "$f"; done; true',
    ],
    { caps: capabilities.none, onLine: () => {} },
  );
  return stdout
    .split('\n')
    .map((file) => file.slice('vmlinuz-'.length))
    .filter((version) => /^[A-Za-z0-9][A-Za-z0-9.+~_-]*$/.test(version))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

/** A kernel of the image and its initramfs, as files in its /boot. */
export interface BootFiles {
  version: string;
  /** The initramfs's name in /boot: Debian's initrd.img-VERSION or Fedora's initramfs-VERSION.img. */
  initrd: string;
}

/** The names an initramfs of a kernel has in /boot, Debian's first. */
function initrdNames(version: string): string[] {
  return [`initrd.img-${version}`, `initramfs-${version}.img`];
}

/** The kernel's initramfs in the image's /boot (a regular file), or undefined when it has none. */
export async function findInitrd(
  ctx: StepContext,
  places: SandboxPlaces,
  version: string,
): Promise<string | undefined> {
  const names = initrdNames(version);
  const { stdout } = await inImage(
    ctx,
    places,
    [
      'sh',
      '-c',
      'cd /boot && for f; do [ -f "$f" ] && [ ! -L "$f" ] && printf "%s\\n" "$f"; done; true',
      'sh',
      ...names,
    ],
    { caps: capabilities.none, onLine: () => {} },
  );
  return stdout.split('\n').find((name) => names.includes(name));
}

/**
 * Copies a regular file of the image (absolute inside it) to a new host file: read in the image, written by
 * this process, never through a symlink.
 */
export async function copyOutOfImage(
  ctx: StepContext,
  places: SandboxPlaces,
  path: string,
  to: string,
): Promise<void> {
  if (await lstat(to).catch(() => undefined)) throw new Error(`${basename(to)} exists already`);
  try {
    await inImage(
      ctx,
      places,
      [
        'sh',
        '-c',
        '[ -f "$1" ] && [ ! -L "$1" ] || { echo "not a regular file" >&2; exit 3; }; exec cat -- "$1"',
        'sh',
        path,
      ],
      { caps: capabilities.imageReader, stdoutTo: to, onLine: () => {} },
    );
  } catch (error) {
    await rm(to, { force: true });
    throw error;
  }
}

/** The virt-image description mic wrote beside a raw disk. */
export function virtImageXml(name: string, arch: string, diskFile: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<image>
  <name>${name}</name>
  <domain>
    <boot type="hvm">
      <guest>
        <arch>${arch}</arch>
      </guest>
      <os>
        <loader dev="hd"/>
      </os>
      <drive disk="${diskFile}" target="hda"/>
    </boot>
    <devices>
      <vcpu>1</vcpu>
      <memory>1048576</memory>
      <interface/>
      <graphics/>
    </devices>
  </domain>
  <storage>
    <disk file="${diskFile}" use="system" format="raw"/>
  </storage>
</image>
`;
}

/** The regular files of the image a glob (* ? [..] in each segment, as the shell reads it) matches. */
async function matchInImage(ctx: StepContext, places: SandboxPlaces, pattern: string): Promise<string[]> {
  // IFS empty: the pattern is globbed, never split; what matches nothing stays itself and fails the test.
  const script = 'IFS=; for f in $1; do [ -f "$f" ] && [ ! -L "$f" ] && printf "%s\\n" "$f"; done; true';
  const { stdout } = await inImage(ctx, places, ['sh', '-c', script, 'sh', pattern], {
    caps: capabilities.imageReader,
    onLine: () => {},
  });
  return stdout.split('\n').filter((path) => path.startsWith('/'));
}

/**
 * Copies %attachment files out of the image into the output folder, flat, as mic did. Only regular files,
 * and never over a file the build already made.
 */
export async function copyAttachments(
  ctx: StepContext,
  places: SandboxPlaces,
  patterns: string[],
  outputDir: string,
): Promise<string[]> {
  const copied: string[] = [];
  for (const pattern of patterns) {
    const absolute = pattern.startsWith('/') ? pattern : `/${pattern}`;
    for (const path of await matchInImage(ctx, places, absolute)) {
      const name = basename(path);
      if (shown(name) !== name) {
        ctx.log(`%attachment ${shown(path)}: not copied (a line break or control character in the name)`);
        continue;
      }
      try {
        await copyOutOfImage(ctx, places, path, join(outputDir, name));
        copied.push(name);
      } catch (error) {
        ctx.log(`%attachment ${path}: not copied (${(error as Error).message.split('\n')[0]})`);
      }
    }
  }
  return copied;
}

/**
 * SHA256SUMS in sha256sum's format, hashed in-process (OpenSSL uses the CPU's SHA instructions) off the event
 * loop; resolves to every file's digest, SHA256SUMS's own included, which the build reports with its artifacts.
 */
export async function writeChecksums(
  ctx: StepContext,
  outputDir: string,
  files: string[],
): Promise<Map<string, FileDigest>> {
  const digests = new Map<string, FileDigest>();
  const sizes = await Promise.all(files.map(async (file) => (await lstat(join(outputDir, file))).size));
  const total = sizes.reduce((sum, size) => sum + size, 0);
  let before = 0;
  for (const file of files) {
    const tell = (hashed: number) => ctx.bytes(before + hashed, total);
    const digest = await digestFile(join(outputDir, file), ctx.signal, tell);
    digests.set(file, digest);
    before += digest.size;
    ctx.bytes(before, total);
  }
  const lines = files.map((file) => `${digests.get(file)?.sha256}  ${file}\n`);
  await writeFile(join(outputDir, 'SHA256SUMS'), lines.join(''));
  digests.set('SHA256SUMS', await digestFile(join(outputDir, 'SHA256SUMS'), ctx.signal));
  return digests;
}

// The files every build leaves beside its image: the package list, mic's virt-image XML for raw disks,
// the attachments, and SHA256SUMS over all of them.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, lstat, readdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { StepContext } from './runner.ts';

/** Installed packages with versions, like mic's --record-pkgs=name. */
export async function writePackageList(ctx: StepContext, root: string, output: string): Promise<number> {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax, not a template.
  const format = '${db:Status-Status} ${Package} ${Version}\\n';
  const { stdout } = await ctx.run(
    'dpkg-query',
    [`--admindir=${join(root, 'var/lib/dpkg')}`, '-W', '-f', format],
    { onLine: () => {} },
  );
  const lines = stdout
    .split('\n')
    .filter((line) => line.startsWith('installed '))
    .map((line) => line.slice('installed '.length))
    .sort();
  await writeFile(output, `${lines.join('\n')}\n`);
  return lines.length;
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

function globToRegExp(segment: string): RegExp {
  const escaped = segment
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${escaped}$`);
}

/** Paths under root matching a glob whose segments may hold * ? and [..]. */
export async function matchGlob(root: string, pattern: string): Promise<string[]> {
  let matches = [''];
  for (const segment of pattern.split('/').filter(Boolean)) {
    const next: string[] = [];
    for (const dir of matches) {
      if (!/[*?[]/.test(segment)) {
        next.push(`${dir}/${segment}`);
        continue;
      }
      const entries = await readdir(join(root, dir)).catch(() => [] as string[]);
      next.push(...entries.filter((e) => globToRegExp(segment).test(e)).map((e) => `${dir}/${e}`));
    }
    matches = next;
  }
  return matches;
}

/**
 * Copies %attachment files out of the image into the output folder, flat, as mic did. Only regular files:
 * a symlink in the image points into the build host, not into the image.
 */
export async function copyAttachments(ctx: StepContext, root: string, patterns: string[], outputDir: string) {
  const copied: string[] = [];
  for (const pattern of patterns) {
    const paths = await matchGlob(root, pattern);
    for (const path of paths) {
      try {
        if (!(await lstat(join(root, path))).isFile()) throw new Error('not a regular file');
        await copyFile(join(root, path), join(outputDir, basename(path)));
        copied.push(basename(path));
      } catch (error) {
        ctx.log(`%attachment ${path}: not copied (${(error as Error).message})`);
      }
    }
  }
  return copied;
}

/** SHA256SUMS in sha256sum's format; hashed in-process, where OpenSSL uses the CPU's SHA instructions. */
export async function writeChecksums(ctx: StepContext, outputDir: string, files: string[]): Promise<void> {
  const lines: string[] = [];
  for (const file of files) {
    const hash = createHash('sha256');
    await pipeline(createReadStream(join(outputDir, file), { highWaterMark: 4 * 1024 * 1024 }), hash, {
      signal: ctx.signal,
    });
    lines.push(`${hash.digest('hex')}  ${file}\n`);
  }
  await writeFile(join(outputDir, 'SHA256SUMS'), lines.join(''));
}

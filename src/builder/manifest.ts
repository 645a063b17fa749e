// NAME.manifest.json: what is in the image (src/contract/manifest.ts), read from the image root once it is final
// (after the scripts and the clean-up of per-build files). The host walks the tree itself: it only lists and
// reads, never follows a link (lstat, O_NOFOLLOW) and opens nothing but regular files, with O_NONBLOCK so a
// file swapped for a fifo cannot hang it. Synchronous calls, yielding to the event loop every few dozen
// milliseconds: with the promise API each of the tens of thousands of small calls waits for libuv's thread
// pool, and the minimal template's 8818 entries took 16 s on the loaded machine instead of 2 s.
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  type Stats,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import {
  MANIFEST_FORMAT,
  type Manifest,
  type ManifestFile,
  type ManifestPackage,
} from '../contract/manifest.ts';
import type { SandboxPlaces } from './sandbox.ts';

/** The namespace maps 65536 ids (sandbox.ts); a file owned outside them is "nobody" inside, as the image sees it. */
const mappedIds = 65_536;
const nobody = 65_534;

function kindOf(stats: Stats): ManifestFile['kind'] {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  if (stats.isSymbolicLink()) return 'link';
  if (stats.isCharacterDevice()) return 'char';
  if (stats.isBlockDevice()) return 'block';
  if (stats.isFIFO()) return 'fifo';
  return 'socket';
}

const sliceMs = 50;

/** Every entry below the image root, in tree order; `/` itself first. */
export async function imageFiles(places: SandboxPlaces, signal: AbortSignal): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  const buffer = Buffer.allocUnsafe(1 << 20);
  let sliceStart = performance.now();
  /** Gives the event loop (log lines, a cancel) its turn now and then, within files too: one may be huge. */
  const breathe = async () => {
    if (performance.now() - sliceStart < sliceMs) return;
    await yieldToEvents();
    signal.throwIfAborted();
    sliceStart = performance.now();
  };
  const sha256Of = async (path: string) => {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const hash = createHash('sha256');
      for (;;) {
        const read = readSync(fd, buffer, 0, buffer.length, null);
        if (read === 0) return hash.digest('hex');
        hash.update(buffer.subarray(0, read));
        await breathe();
      }
    } finally {
      closeSync(fd);
    }
  };

  const owner = (id: number) =>
    id >= places.idBase && id < places.idBase + mappedIds ? id - places.idBase : nobody;
  const visit = async (inImage: string): Promise<void> => {
    const onHost = join(places.root, inImage);
    await breathe();
    const stats = lstatSync(onHost);
    const kind = kindOf(stats);
    const file: ManifestFile = {
      path: inImage,
      kind,
      mode: stats.mode & 0o7777,
      uid: owner(stats.uid),
      gid: owner(stats.gid),
    };
    if (kind === 'file') {
      file.size = stats.size;
      file.sha256 = await sha256Of(onHost);
    }
    if (kind === 'link') file.target = readlinkSync(onHost);
    files.push(file);
    if (kind !== 'dir') return;
    // Code-unit order, as the manifest is sorted (and as tar --sort=name orders the image's archive).
    const names = readdirSync(onHost).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) await visit(inImage === '/' ? `/${name}` : `${inImage}/${name}`);
  };
  await visit('/');
  return files;
}

/** Writes the manifest of the image root; `packages` as the packages step read them from the image. */
export async function writeManifest(
  places: SandboxPlaces,
  packages: readonly ManifestPackage[],
  output: string,
  signal: AbortSignal,
): Promise<number> {
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    packages: [...packages].sort((a, b) =>
      a.name === b.name ? (a.arch < b.arch ? -1 : 1) : a.name < b.name ? -1 : 1,
    ),
    files: await imageFiles(places, signal),
  };
  await writeFile(output, `${JSON.stringify(manifest)}\n`);
  return manifest.files.length;
}

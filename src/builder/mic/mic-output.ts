// Finds a finished image in mic's output folder by mic's own naming rules (mic/imager/*.py, baseimager
// package/release_output), never by size: the original picked the largest file and so published a decoy or
// a whole unpacked root. A main image that is not where mic puts it is an error, not a guess.
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { escapeRegExp } from '../escape-regexp.ts';
import { BuildFailure } from '../failures.ts';
import { optionValue } from './mic-options.ts';

export interface MicOutputQuery {
  /** mic's --outdir. */
  outdir: string;
  type: string;
  name: string;
  /** The whole mic command line: --release, --pack-to and mic2's --package decide the layout. */
  args: readonly string[];
  /** The root partition's label, which names a loop image when set. */
  rootLabel?: string;
}

export interface MicOutput {
  /** The folder mic put this image's files in: its outdir, or the release folder. */
  imageDir: string;
  /** The name mic gave the image's files (with --release some mic versions append -RID). */
  imageName: string;
  /** The main image relative to imageDir: a file, or the root folder fs leaves when nothing packed it. */
  main: { kind: 'file' | 'root-folder'; path: string };
  /** Every other file mic wrote for the image, relative to imageDir. */
  others: string[];
  /** Folders IMG does not know the meaning of: left out and named in the log. */
  unknownFolders: string[];
}

/** misc.pack_formats: a --pack-to name without one of these gets .tar appended. */
const packSuffixes = ['.tar', '.tar.gz', '.tar.bz2', '.tgz', '.tbz', '.zip'];
/** --compress-image / --compress-disk-image compress the image file in place. */
const compressed = '(?:\\.gz|\\.bz2)?';

function exactly(file: string): RegExp {
  return new RegExp(`^${escapeRegExp(file)}${compressed}$`);
}

function packName(packTo: string, name: string): string {
  const file = packTo.replaceAll('@NAME@', name);
  return packSuffixes.some((suffix) => file.endsWith(suffix)) ? file : `${file}.tar`;
}

/** The main image's possible names, most specific first. */
function mainImagePatterns(query: MicOutputQuery, name: string, release: boolean): RegExp[] {
  const packTo = optionValue(query.args, ['--pack-to', '--taring-to']);
  const mic2Package = optionValue(query.args, ['--package']);
  const patterns: RegExp[] = [];
  if (packTo) patterns.push(new RegExp(`^${escapeRegExp(packName(packTo, name))}$`));
  if (mic2Package?.startsWith('tar'))
    patterns.push(new RegExp(`^${escapeRegExp(`${name}-${query.type}.${mic2Package}`)}$`));
  switch (query.type) {
    case 'loop':
      patterns.push(exactly(`${(query.rootLabel ?? name).replace(/\.img$/, '')}.img`));
      break;
    case 'raw':
    case 'qcow2':
    case 'vmdk':
    case 'vdi':
      // One file per disk of the kickstart (--ondisk), NAME-sda first.
      patterns.push(new RegExp(`^${escapeRegExp(name)}-[^./]+\\.${query.type}${compressed}$`));
      break;
    case 'livecd':
      patterns.push(exactly(release ? `${name}.img` : `${name}.iso`));
      break;
    case 'liveusb':
      patterns.push(exactly(release ? `${name}.img` : `${name}.usbimg`));
      break;
    case 'nand':
    case 'mrstnand':
      // mic2 built these on its loop creator, whose image is NAME.img; boot blobs come as NAME-boot.bin.
      patterns.push(exactly(`${name}.img`));
      break;
  }
  return patterns;
}

async function entries(dir: string): Promise<{ files: string[]; folders: string[] }> {
  const found = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names = (filter: (e: (typeof found)[number]) => boolean) =>
    found
      .filter(filter)
      .map((e) => e.name)
      .sort();
  return { files: names((e) => e.isFile()), folders: names((e) => e.isDirectory()) };
}

async function imageFolder(query: MicOutputQuery, release: string | undefined, names: string[]) {
  if (release === undefined) return query.outdir;
  for (const name of names) {
    const dir = join(query.outdir, release, 'images', name);
    if ((await entries(dir)).files.length > 0) return dir;
  }
  throw new BuildFailure(
    'internal',
    'filesystem',
    `mic finished, but its release folder ${join(release, 'images', query.name)} is missing or empty`,
  );
}

export async function findMicOutput(query: MicOutputQuery): Promise<MicOutput> {
  const release = optionValue(query.args, ['--release']);
  const names = release === undefined ? [query.name] : [query.name, `${query.name}-${release}`];
  const imageDir = await imageFolder(query, release, names);
  const top = await entries(imageDir);
  for (const imageName of names) {
    // mic2 (and mic for its disk types) moves an image of several files into NAME-TYPE/.
    const subfolder = `${imageName}-${query.type}`;
    const nested = top.folders.includes(subfolder) ? (await entries(join(imageDir, subfolder))).files : [];
    const files = [...top.files, ...nested.map((file) => `${subfolder}/${file}`)];
    const patterns = mainImagePatterns(query, imageName, release !== undefined);
    const mainFile = patterns.map((p) => files.find((path) => p.test(basename(path)))).find(Boolean);
    let main: MicOutput['main'] | undefined = mainFile ? { kind: 'file', path: mainFile } : undefined;
    if (!main && query.type === 'fs' && top.folders.includes(imageName))
      main = { kind: 'root-folder', path: imageName };
    if (!main) continue;
    // IMG writes its own NAME.ks (as built) and NAME.log (the whole run); mic's copies would clash with them.
    const replaced = new Set([`${imageName}.ks`, `${imageName}.log`]);
    const mainPath = main.path;
    return {
      imageDir,
      imageName,
      main,
      others: files.filter((path) => path !== mainPath && !replaced.has(path)),
      unknownFolders: top.folders.filter((folder) => folder !== subfolder && folder !== mainPath),
    };
  }
  const wrote = top.files.concat(top.folders.map((folder) => `${folder}/`));
  throw new BuildFailure(
    'internal',
    'filesystem',
    `mic finished, but its output has no ${query.type} image named as mic names it (${query.name}); it wrote: ${wrote.join(', ') || 'nothing'}`,
  );
}

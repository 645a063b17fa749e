import { gunzipSync } from 'node:zlib';
import { extract, type Header as TarHeader } from 'tar-stream';
import { snippetFolders } from '../../kickstart/kickstarter/snippets.ts';
import { ServiceError } from '../errors.ts';
import { MAX_KICKSTARTER_FILES, snippetsOf } from './kickstarter-files.ts';
import { decodeUtf8 } from './strict-text.ts';
import { MAX_KICKSTART_BYTES } from './submission.ts';

/** The largest kickstarter folder a caller may send, packed; unpacked, it may be twice that. */
export const MAX_KICKSTARTER_TAR_BYTES = 4 * MAX_KICKSTART_BYTES;
/** Entries of any kind, folders included: a folder of tens of files needs far fewer. */
const MAX_ENTRIES = 2 * MAX_KICKSTARTER_FILES + 50;

/** What a kickstarter folder holds for the renderer; the YAML files are absent when the folder had none. */
export interface KickstarterFolderFiles {
  configurations?: string;
  repos?: string;
  files: Record<string, string>;
}

/**
 * Reads a kickstarter folder sent as a tar (gzip-compressed or not) in memory; nothing is written to disk. Its
 * configurations.yaml and repos.yaml are taken, and its scripts/ and partitions/ files, at the top of the tar
 * or in the one folder everything is in. Anything that could reach outside the folder or is not a plain file
 * (absolute names, `..`, links, devices) refuses the whole tar, naming the entry; so do too many entries or
 * bytes. Other plain files (a README, other folders) are left out.
 */
export async function readKickstarterTar(packed: Buffer): Promise<KickstarterFolderFiles> {
  const tar = isGzip(packed) ? gunzip(packed) : packed;
  const plain = new Map<string, Buffer>();
  let entries = 0;
  try {
    const reader = extract();
    reader.end(tar);
    for await (const entry of reader) {
      entries += 1;
      if (entries > MAX_ENTRIES)
        throw new ServiceError('too-large', `the tar has more than ${MAX_ENTRIES} entries`);
      // `tar c -C folder .` begins with the folder itself, `./`.
      if (entry.header.type === 'directory' && /^(\.\/)*\.?\/?$/.test(entry.header.name)) {
        entry.resume();
        continue;
      }
      const path = entryPath(entry.header);
      if (entry.header.type === 'directory') {
        entry.resume();
        continue;
      }
      if (entry.header.type !== 'file' && entry.header.type !== 'contiguous-file')
        throw new ServiceError(
          'bad-request',
          `tar entry ${JSON.stringify(path)} is a ${entry.header.type}: only plain files are read`,
        );
      if (entry.header.size > MAX_KICKSTART_BYTES)
        throw new ServiceError(
          'too-large',
          `tar entry ${JSON.stringify(path)} is larger than ${MAX_KICKSTART_BYTES} bytes`,
        );
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      plain.set(path, Buffer.concat(chunks));
    }
  } catch (error) {
    if (error instanceof ServiceError) throw error;
    throw new ServiceError('bad-request', `the tar cannot be read: ${(error as Error).message}`);
  }
  return folderFiles(withoutCommonFolder(plain));
}

function isGzip(data: Buffer): boolean {
  return data[0] === 0x1f && data[1] === 0x8b;
}

/** Unpacked with a ceiling, so a small gzip bomb is refused instead of filling memory. */
function gunzip(packed: Buffer): Buffer {
  try {
    return gunzipSync(packed, { maxOutputLength: 2 * MAX_KICKSTARTER_TAR_BYTES });
  } catch (error) {
    if (error instanceof RangeError)
      throw new ServiceError(
        'too-large',
        `the tar unpacks to more than ${2 * MAX_KICKSTARTER_TAR_BYTES} bytes`,
      );
    throw new ServiceError('bad-request', `the gzip data cannot be read: ${(error as Error).message}`);
  }
}

/** The entry's path inside the folder, `./` and a folder's trailing `/` dropped; one that leaves it is refused. */
function entryPath(header: TarHeader): string {
  const name = header.name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  const segments = name.split('/');
  if (
    header.name.startsWith('/') ||
    name.includes('\\') ||
    name.includes('\0') ||
    segments.some((segment) => segment === '..' || segment === '')
  )
    throw new ServiceError(
      'bad-request',
      `tar entry ${JSON.stringify(header.name)} names a path outside the folder; give paths inside it, like scripts/setup.post`,
    );
  return name;
}

/** `tar c device-configs` puts everything in one folder: the files are read as if the tar began inside it. */
function withoutCommonFolder(files: Map<string, Buffer>): Map<string, Buffer> {
  const tops = new Set([...files.keys()].map((path) => (path.includes('/') ? path.split('/')[0] : '')));
  const [top] = tops;
  if (tops.size !== 1 || !top || (snippetFolders as readonly string[]).includes(top)) return files;
  return new Map([...files].map(([path, content]) => [path.slice(top.length + 1), content]));
}

function folderFiles(files: Map<string, Buffer>): KickstarterFolderFiles {
  const folder: KickstarterFolderFiles = { files: {} };
  for (const [path, content] of files) {
    if (path === 'configurations.yaml') folder.configurations = decodeUtf8(content, path);
    else if (path === 'repos.yaml') folder.repos = decodeUtf8(content, path);
    else if (snippetFolders.some((folder) => path.startsWith(`${folder}/`)))
      folder.files[path] = decodeUtf8(content, path);
  }
  // The same rule for names as for files sent as JSON: a nested or hidden file is refused by name.
  snippetsOf(folder.files);
  return folder;
}

// How far a download is that another program makes (apt-get writes the .deb files): the sizes of what is in its
// folder so far, looked at now and then, since the program itself says it only in text meant for people.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const LOOK_EVERY_MS = 500;

/** Tells the bytes of the regular files under `folder` every half second until stopped; a missing folder is 0. */
export function watchFolderBytes(folder: string, tell: (bytes: number) => void): { stop(): void } {
  let looking = false;
  const look = async () => {
    if (looking) return;
    looking = true;
    try {
      tell(await bytesUnder(folder));
    } finally {
      looking = false;
    }
  };
  const timer = setInterval(() => void look().catch(() => {}), LOOK_EVERY_MS);
  return { stop: () => clearInterval(timer) };
}

async function bytesUnder(folder: string): Promise<number> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  let bytes = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    bytes += (await lstat(join(entry.parentPath, entry.name)).catch(() => null))?.size ?? 0;
  }
  return bytes;
}

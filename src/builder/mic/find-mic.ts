// Which image creator of the mic family is installed: Mer/Sailfish/Tizen `mic` (preferred, as the original's
// `ict = mic` recommended) or the older mic2 `mic-image-creator`. Their command lines differ, so the flavour
// travels with the path.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { basename, delimiter, join } from 'node:path';

export type MicFlavour = 'mic' | 'mic2';

export interface MicInstall {
  flavour: MicFlavour;
  path: string;
}

const programs: readonly [string, MicFlavour][] = [
  ['mic', 'mic'],
  ['mic-image-creator', 'mic2'],
];

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A configured path: mic2 is told apart by its program name, as the original's auto-detection did. */
function micAt(path: string): MicInstall {
  return { flavour: basename(path) === 'mic-image-creator' ? 'mic2' : 'mic', path };
}

/** The first mic, else the first mic2, on the search path; undefined when neither is installed. */
export async function findMic(searchPath = process.env.PATH ?? ''): Promise<MicInstall | undefined> {
  const dirs = searchPath.split(delimiter).filter(Boolean);
  for (const [program, flavour] of programs) {
    for (const dir of dirs) {
      const path = join(dir, program);
      if (await isExecutable(path)) return { flavour, path };
    }
  }
  return undefined;
}

/** The configured mic when it can be run, else whatever the search path offers. */
export async function resolveMic(micPath: string | undefined): Promise<MicInstall | undefined> {
  if (micPath === undefined) return findMic();
  return (await isExecutable(micPath)) ? micAt(micPath) : undefined;
}

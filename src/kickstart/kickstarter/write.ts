import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { describeFsError } from '../fs-error.ts';
import type { KickstarterError, KickstarterFile } from './types.ts';

export interface WriteResult {
  /** Absolute paths of the files written. */
  written: string[];
  errors: KickstarterError[];
}

/** Writes rendered kickstarts under `outDir`, creating Baseline subfolders; a failed file does not stop the rest. */
export async function writeKickstarterFiles(
  files: readonly KickstarterFile[],
  outDir: string,
): Promise<WriteResult> {
  const root = resolve(outDir);
  const result: WriteResult = { written: [], errors: [] };
  for (const file of files) {
    const target = resolve(root, file.path);
    // Files may come from any caller, not only the renderer that already refuses path-like names.
    if (!target.startsWith(root + sep)) {
      result.errors.push({ file: file.path, message: `refusing to write outside ${root}` });
      continue;
    }
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.text);
      result.written.push(target);
    } catch (error) {
      result.errors.push({ file: target, message: `cannot write: ${describeFsError(error)}` });
    }
  }
  return result;
}

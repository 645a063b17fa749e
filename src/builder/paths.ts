// Small questions about paths asked in several steps.
import { access } from 'node:fs/promises';

/** Whether the path exists; for a symlink in an image root, whether its target does, seen from the host. */
export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** One plain file name in any folder: not hidden, not an option, no path, no space or line break. */
export const safeFileName = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** The kickstart as the build read it, kept among the image's files (tokens filled in, includes flattened). */
export const kickstartFileName = (name: string): string => `${name}.ks`;

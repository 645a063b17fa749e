// Small questions about paths asked in several steps.
import { access } from 'node:fs/promises';

/** Whether the path exists; for a symlink in an image root, whether its target does, seen from the host. */
export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

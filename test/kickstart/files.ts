import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPOSITORY = resolve(import.meta.dirname, '../..');

/** Every `.ks` file under the shipped templates and the test fixtures; none yet is not an error. */
export function kickstartFiles(): string[] {
  return ['templates', 'test/kickstart/fixtures'].flatMap((folder) => {
    const root = join(REPOSITORY, folder);
    try {
      return readdirSync(root, { recursive: true, encoding: 'utf8' })
        .filter((name) => name.endsWith('.ks'))
        .sort()
        .map((name) => join(root, name));
    } catch {
      return [];
    }
  });
}

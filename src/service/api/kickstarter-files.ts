import { safeFileName } from '../../builder/paths.ts';
import type { Snippets } from '../../kickstart/kickstarter/index.ts';
import { snippetFolders } from '../../kickstart/kickstarter/snippets.ts';
import { ServiceError } from '../errors.ts';

/** How many script and partition files one render may send: kickstarter folders hold tens, not thousands. */
export const MAX_KICKSTARTER_FILES = 200;

/**
 * The script and partition files a caller sent with kickstarter YAML, as the renderer looks them up. Only the
 * paths the renderer can ask for are taken, each one folder deep: anything else is a mistake or an attack, and
 * the refusal names it. Nothing is written anywhere; the paths are only keys.
 */
export function snippetsOf(files: Readonly<Record<string, string>>): Snippets {
  const entries = Object.entries(files);
  if (entries.length > MAX_KICKSTARTER_FILES)
    throw new ServiceError(
      'bad-request',
      `files: ${entries.length} files, more than ${MAX_KICKSTARTER_FILES}`,
    );
  for (const [path] of entries) {
    const [folder = '', name = '', ...deeper] = path.split('/');
    if (
      !(snippetFolders as readonly string[]).includes(folder) ||
      !safeFileName.test(name) ||
      deeper.length > 0
    )
      throw new ServiceError(
        'bad-request',
        `files: ${JSON.stringify(path)} is not a kickstarter file; give ${snippetFolders.map((f) => `${f}/NAME`).join(' or ')}, NAME a plain file name`,
      );
  }
  return new Map(entries);
}

import { snippetFolders } from '../../../kickstart/kickstarter/snippets.ts';

/** What a chosen kickstarter folder holds for the render: its two YAML files and its script and partition files. */
export interface KickstarterFolder {
  configurations?: string;
  repos?: string;
  files: Record<string, string>;
}

const SNIPPET_PATH = new RegExp(`^(${snippetFolders.join('|')})/[^/]+$`);

/**
 * Reads the files of a folder the user chose (each with its path below the chosen folder's parent, as browsers
 * give it). Files elsewhere in the folder are not kickstarter's and are left out; the server checks the names.
 */
export async function readKickstarterFolder(
  chosen: readonly { path: string; text: () => Promise<string> }[],
): Promise<KickstarterFolder> {
  const folder: KickstarterFolder = { files: {} };
  for (const file of chosen) {
    const path = file.path.split('/').slice(1).join('/');
    if (path === 'configurations.yaml') folder.configurations = await file.text();
    else if (path === 'repos.yaml') folder.repos = await file.text();
    else if (SNIPPET_PATH.test(path)) folder.files[path] = await file.text();
  }
  return folder;
}

/**
 * Script and partition files, keyed by their path relative to the folder of configurations.yaml (`/` separators),
 * e.g. `scripts/cleanup.post` or `partitions/n900`.
 */
export type Snippets = ReadonlyMap<string, string>;

/** The folders, next to configurations.yaml, that snippets are read from. */
export const snippetFolders = ['scripts', 'partitions'] as const;

export function postScriptPath(name: string): string {
  return `scripts/${name}.post`;
}

export function noChrootScriptPath(name: string): string {
  return `scripts/${name}.nochroot`;
}

export function partitionPath(name: string): string {
  return `partitions/${name}`;
}

// Tells an apt archive from an rpm repository by what the repository itself serves, so a kickstart `repo`
// line needs no IMG-only option unless the author wants to say it outright (--type).
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export type RepoKind = 'apt' | 'rpm';

/** The file whose presence proves the kind: apt's release index for the suite, or rpm's repomd.xml. */
function markers(url: string, suite: string | undefined): { kind: RepoKind; path: string }[] {
  const base = url.endsWith('/') ? url : `${url}/`;
  const found: { kind: RepoKind; path: string }[] = [{ kind: 'rpm', path: `${base}repodata/repomd.xml` }];
  if (suite) {
    found.push({ kind: 'apt', path: `${base}dists/${suite}/InRelease` });
    found.push({ kind: 'apt', path: `${base}dists/${suite}/Release` });
  }
  return found;
}

async function exists(location: string, signal: AbortSignal): Promise<boolean> {
  if (location.startsWith('file://')) {
    return access(fileURLToPath(location)).then(
      () => true,
      () => false,
    );
  }
  const response = await fetch(location, { method: 'HEAD', signal }).catch(() => undefined);
  return response?.ok ?? false;
}

/** undefined when neither marker answers: the caller says which option would settle it. */
export async function detectRepoKind(
  url: string,
  suite: string | undefined,
  signal: AbortSignal,
): Promise<RepoKind | undefined> {
  for (const marker of markers(url, suite)) {
    if (await exists(marker.path, signal)) return marker.kind;
  }
  return undefined;
}

// repo --install, as Anaconda does it: the repository goes into the image's /etc/yum.repos.d, so the image's own
// dnf reads it after the build, with the key the build verified its packages with.
import { readFile } from 'node:fs/promises';
import { isArmoredKey } from '../kickstart/index.ts';
import type { ImageFile } from './configure.ts';
import type { RpmRepo } from './recipe.ts';
import type { RepoKeys } from './rpm-root.ts';
import { REPO_NAME } from './source-names.ts';

/** A key the image can import: dnf reads an armored file; the binary form is left for the admin to convert. */
async function armoredKey(path: string | undefined): Promise<string | undefined> {
  if (!path) return undefined;
  const text = await readFile(path, 'latin1');
  return isArmoredKey(text) ? text : undefined;
}

/** The .repo file (and key) of each repository marked --install; notes say what could not be carried. */
export async function installedRepoFiles(
  repos: readonly RpmRepo[],
  keys: RepoKeys,
  log: (line: string) => void,
): Promise<ImageFile[]> {
  const files: ImageFile[] = [];
  for (const repo of repos.filter((r) => r.install)) {
    // As Anaconda: a repository on the build host (file:) means nothing to the running image.
    if (!/^(https?|ftp):\/\//i.test(repo.url)) {
      log(`repo ${repo.name} --install: ${repo.url} is not a network repository; not kept in the image`);
      continue;
    }
    // The plan checked the name; it is a file name here, and a section header.
    if (!REPO_NAME.test(repo.name)) continue;
    const keyPath = `/etc/pki/rpm-gpg/RPM-GPG-KEY-imger-${repo.name}`;
    const key = await armoredKey(keys.get(repo));
    if (key) files.push({ path: keyPath, text: key });
    else if (keys.has(repo))
      log(`repo ${repo.name}: its key is binary; the image's dnf checks against keys it has`);
    const settings: [string, string | undefined][] = [
      ['name', repo.name],
      ['baseurl', repo.mirrorlist || repo.metalink ? undefined : repo.url],
      ['mirrorlist', repo.mirrorlist],
      ['metalink', repo.metalink],
      ['enabled', '1'],
      ['cost', repo.cost === undefined ? undefined : String(repo.cost)],
      ['includepkgs', repo.includePkgs?.join(',')],
      ['excludepkgs', repo.excludePkgs?.join(',')],
      ['proxy', repo.proxy],
      // Unsigned at build time stays unchecked; a signed one is checked, with the key when the image has it.
      ['gpgcheck', keys.has(repo) ? '1' : '0'],
      ['gpgkey', key ? `file://${keyPath}` : undefined],
    ];
    // A kickstart line holds no line break, but a value with one would add settings of its own.
    const lines = settings
      .filter((entry): entry is [string, string] => entry[1] !== undefined && !/[\r\n]/.test(entry[1]))
      .map(([name, value]) => `${name}=${value}`);
    files.push({ path: `/etc/yum.repos.d/${repo.name}.repo`, text: `[${repo.name}]\n${lines.join('\n')}\n` });
  }
  return files;
}

// Reads the host's apt sources (one-line .list and deb822 .sources files) so an image without repo lines
// builds from the mirror this machine already uses, and no mirror host is ever written in the repository.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildFailure } from './failures.ts';
import type { AptRepo, ImageRecipe } from './recipe.ts';

/** Parses one-line sources.list text; deb-src and commented lines are skipped. */
export function parseOneLineSources(text: string): AptRepo[] {
  const repos: AptRepo[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const match = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!match) continue;
    const [, options = '', url, suite, components = ''] = match;
    const signedBy = /(?:^|\s)signed-by=(\S+)/.exec(options)?.[1];
    repos.push(repo(url!, suite!, components.split(/\s+/).filter(Boolean), signedBy));
  }
  return repos;
}

/** Parses deb822 .sources text: every URI × suite of an enabled "deb" stanza becomes one repo. */
export function parseDeb822Sources(text: string): AptRepo[] {
  const repos: AptRepo[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = parseStanza(stanza);
    if (!(fields.get('types') ?? '').split(/\s+/).includes('deb')) continue;
    if ((fields.get('enabled') ?? 'yes').toLowerCase() === 'no') continue;
    const components = (fields.get('components') ?? '').split(/\s+/).filter(Boolean);
    const signedBy = fields.get('signed-by');
    // An inline key block cannot be passed on as a file name; the default keyrings then apply.
    const keyring = signedBy && !signedBy.includes('\n') ? signedBy : undefined;
    for (const url of (fields.get('uris') ?? '').split(/\s+/).filter(Boolean)) {
      for (const suite of (fields.get('suites') ?? '').split(/\s+/).filter(Boolean)) {
        repos.push(repo(url, suite, components, keyring));
      }
    }
  }
  return repos;
}

function parseStanza(stanza: string): Map<string, string> {
  const fields = new Map<string, string>();
  let current: string | undefined;
  for (const line of stanza.split('\n')) {
    if (line.startsWith('#')) continue;
    if (/^\s/.test(line) && current) {
      fields.set(current, `${fields.get(current)}\n${line.trim()}`);
      continue;
    }
    const match = /^([\w-]+):\s*(.*)$/.exec(line);
    if (!match) continue;
    current = match[1]!.toLowerCase();
    fields.set(current, match[2]!.trim());
  }
  return fields;
}

function repo(url: string, suite: string, components: string[], signedBy: string | undefined): AptRepo {
  return { kind: 'apt', url, suite, components, ...(signedBy ? { signedBy } : {}) };
}

/** Every enabled deb source apt on this host uses, in apt's own file order. */
export async function readHostSources(aptDir = '/etc/apt'): Promise<AptRepo[]> {
  const repos: AptRepo[] = [];
  const main = await readFile(join(aptDir, 'sources.list'), 'utf8').catch(() => '');
  repos.push(...parseOneLineSources(main));
  const partsDir = join(aptDir, 'sources.list.d');
  const parts = (await readdir(partsDir).catch(() => [] as string[])).sort();
  for (const file of parts) {
    // apt itself ignores every other extension (e.g. *.disabled), so must we.
    if (file.endsWith('.list'))
      repos.push(...parseOneLineSources(await readFile(join(partsDir, file), 'utf8')));
    if (file.endsWith('.sources'))
      repos.push(...parseDeb822Sources(await readFile(join(partsDir, file), 'utf8')));
  }
  return repos;
}

/** The host's release codename (bookworm), the default suite of images built from host sources. */
export async function hostCodename(osRelease = '/etc/os-release'): Promise<string | undefined> {
  const text = await readFile(osRelease, 'utf8').catch(() => '');
  return /^VERSION_CODENAME=("?)([^"\n]+)\1$/m.exec(text)?.[2];
}

/**
 * The host sources that belong to a distribution suite: the suite itself and its -updates/-security
 * companions. Third-party repos on the host (other suites) are not copied into images.
 */
export function sourcesForSuite(repos: AptRepo[], suite: string): AptRepo[] {
  return repos.filter((r) => r.suite === suite || r.suite.startsWith(`${suite}-`));
}

/**
 * Whether every repository is one of the build host's own apt sources (the same archive URL, but for trailing
 * slashes, and suite): the admin's choice, whose package scripts are trusted (initramfs.ts shares an initramfs
 * made from them with roots of other package sets). Anything else, however close, is not.
 */
export function onlyHostSources(repos: AptRepo[], host: AptRepo[]): boolean {
  const same = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
  return repos.every((repo) => host.some((h) => same(h.url, repo.url) && h.suite === repo.suite));
}

/** One-line sources.list text, the form mmdebstrap reads from a file. */
export function renderSourcesList(repos: AptRepo[]): string {
  return repos
    .map((r) => {
      const options = r.signedBy ? `[signed-by=${r.signedBy}] ` : '';
      return `deb ${options}${r.url} ${r.suite} ${r.components.join(' ')}\n`;
    })
    .join('');
}

/**
 * The apt archives a recipe's packages come from: its own apt lines, else the build host's sources for the
 * recipe's suite (or the host's own release). Throws the build's failure when neither gives one.
 */
export async function aptSourcesOf(
  recipe: Pick<ImageRecipe, 'sources' | 'suite'>,
): Promise<{ suite: string; repos: AptRepo[]; fromHost: boolean }> {
  const apt = recipe.sources.filter((s): s is AptRepo => s.kind === 'apt');
  if (apt.length > 0) return { suite: recipe.suite ?? apt[0]!.suite, repos: apt, fromHost: false };
  const suite = recipe.suite ?? (await hostCodename());
  const repos = suite ? sourcesForSuite(await readHostSources(), suite) : [];
  if (!suite || repos.length === 0) {
    const why = suite ? `the host has no apt source for ${suite}` : 'the host has no release codename';
    throw new BuildFailure('kickstart-error', 'resolve', `no repo given and ${why}`);
  }
  return { suite, repos, fromHost: true };
}

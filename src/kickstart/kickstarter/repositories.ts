import { quoteToken } from '../lexer.ts';
import { errorAt } from './errors.ts';
import type { Settings, TextKey } from './settings.ts';
import type { KickstarterError } from './types.ts';
import { isMapping, type YamlDocument, type YamlValue } from './yaml.ts';

/** One entry of repos.yaml's `Repositories`, with Username/Password already spliced into `url`. */
export interface Repository {
  name: string;
  url: string;
  options?: string;
}

export type RepositoryTable = ReadonlyMap<string, Repository>;

/** What kickstarter gave every repository of an image with `SaveRepos: true` (BMC#15938). */
export const savedRepoOptions =
  '--save --debuginfo --source --gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-meego';

/** Adobe's third-party repository had no debuginfo or source packages and was not signed with the MeeGo key. */
const repoWithoutSavedOptions = 'adobe';

const urlTokens: readonly (readonly [token: string, key: TextKey])[] = [
  ['@ARCH@', 'Architecture'],
  ['@RELEASE@', 'Baseline'],
  ['@DIST@', 'Distribution'],
];

export function readRepositories(document: YamlDocument): {
  repositories: RepositoryTable;
  errors: KickstarterError[];
} {
  const repositories = new Map<string, Repository>();
  const errors: KickstarterError[] = [];
  const listed = isMapping(document.value) ? document.value.Repositories : undefined;
  if (!Array.isArray(listed)) {
    errors.push(
      errorAt(document, ['Repositories'], 'repos file needs a top-level Repositories list', 'Repositories'),
    );
    return { repositories, errors };
  }
  for (const [index, entry] of listed.entries()) {
    const read = readRepository(entry);
    const fail = (problem: string) =>
      errors.push(errorAt(document, ['Repositories', index], problem, 'Repositories'));
    if (typeof read === 'string') fail(read);
    else if (repositories.has(read.name)) fail(`repository ${read.name} is defined twice`);
    else repositories.set(read.name, read);
  }
  return { repositories, errors };
}

/** The repository, or what is wrong with the entry. */
function readRepository(entry: YamlValue): Repository | string {
  if (!isMapping(entry)) return 'each repository must be a mapping with Name and Url';
  const text = (key: string) => (typeof entry[key] === 'string' ? entry[key] : undefined);
  const name = text('Name');
  const url = text('Url');
  if (name === undefined || url === undefined) return 'each repository needs a Name and a Url';
  const options = text('Options');
  if ([name, url, options].some((value) => value?.includes('\n'))) {
    return `repository ${name}: Name, Url and Options must each fit on one kickstart line`;
  }
  const spliced = withCredentials(url, text('Username'), text('Password'));
  if (spliced === undefined) {
    return `repository ${name}: Username/Password need a Url of the form scheme://host/…`;
  }
  return { name, url: spliced, ...(options === undefined ? {} : { options }) };
}

export function repositoryLine(repository: Repository, settings: Settings): string {
  const url = urlTokens.reduce((current, [token, key]) => {
    const value = settings[key];
    return value === undefined ? current : current.replaceAll(token, value);
  }, repository.url);
  const options =
    repository.options ??
    (settings.SaveRepos && repository.name !== repoWithoutSavedOptions ? savedRepoOptions : undefined);
  const line = `repo --name=${quoteToken(repository.name)} --baseurl=${quoteToken(url)}`;
  return options === undefined || options === '' ? line : `${line} ${options}`;
}

/** Percent-encoded, so a password holding `@`, `/` or `#` cannot change where the URL points. */
function withCredentials(url: string, username?: string, password?: string): string | undefined {
  if (username === undefined && password === undefined) return url;
  const parts = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/i.exec(url);
  if (parts === null) return undefined;
  const user = encodeURIComponent(username ?? '');
  const secret = password === undefined ? '' : `:${encodeURIComponent(password)}`;
  return `${parts[1]}${user}${secret}@${parts[2]}`;
}

// The packages of a base root, decided and fetched by the host's apt before mmdebstrap starts. No package
// code runs here: apt checks the archive's signatures (InRelease against the keyrings of the sources) and
// every .deb against the SHA-256 in the signed indexes. mmdebstrap then installs offline, in its sandbox,
// from exactly these index files and .debs, so its maintainer scripts need no network at all. It also
// answers in seconds whether the package set can be installed, where mmdebstrap would find a missing
// package only after installing the essential set.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listFiles, listsEntry, seedLists, storeLists } from './apt-lists-cache.ts';
import type { StepContext } from './runner.ts';

export interface AptClosureInput {
  sourcesFile: string;
  debianArch: string;
  suite: string;
  packages: string[];
  excludesPreferences?: string;
  /** A host-only folder for apt's state. */
  workDir: string;
  /** The shared cache of index files apt verified (apt-lists-cache.ts); only the builder writes it. */
  listsCache?: string;
}

/** One .deb of the closure, as apt names it in the archive folder, with the size and hash the index gives. */
export interface DebFile {
  file: string;
  size: number;
  sha256: string;
  uri: string;
}

function aptOptions(input: AptClosureInput): string[] {
  const dir = join(input.workDir, 'apt-closure');
  return [
    `Dir::Etc::SourceList=${input.sourcesFile}`,
    'Dir::Etc::SourceParts=/dev/null',
    `Dir::Etc::Preferences=${input.excludesPreferences ?? '/dev/null'}`,
    `Dir::Etc::PreferencesParts=${join(dir, 'preferences.d')}`,
    `Dir::State::Lists=${join(dir, 'lists')}`,
    `Dir::State::status=${join(dir, 'status')}`,
    `Dir::Cache=${join(dir, 'cache')}`,
    `APT::Architecture=${input.debianArch}`,
    'APT::Architectures::=',
    'Acquire::Languages=none',
    'Acquire::Retries=3',
    // --print-uris then gives each file's SHA-256 rather than its MD5.
    'Acquire::ForceHash=SHA256',
    'Debug::NoLocking=1',
  ].flatMap((option) => ['-o', option]);
}

/**
 * What mmdebstrap's minbase variant installs, in its two rounds: the essential set of the suite, then the
 * packages of priority required and the requested ones. Both are resolved here from an empty system; the
 * union of the two answers is what the bootstrap may ask for.
 */
function installRounds(input: AptClosureInput): string[][] {
  const narrow = (what: string) =>
    `?narrow(?or(?archive(^${input.suite}$),?codename(^${input.suite}$)),?architecture(${input.debianArch}),${what})`;
  return [[narrow('?essential')], [narrow('?or(?essential,?priority(required))'), ...input.packages]];
}

// The file name becomes a path the host writes (the download, the store's link): never one with a folder in it,
// whatever a repository's index makes apt print.
const uriLine = /^'([^']+)' ([^/\s]+\.deb) (\d+) SHA256:([0-9a-f]{64})$/;

export function parsePrintUris(text: string): DebFile[] {
  return text.split('\n').flatMap((line) => {
    const match = uriLine.exec(line.trim());
    return match ? [{ uri: match[1]!, file: match[2]!, size: Number(match[3]), sha256: match[4]! }] : [];
  });
}

/**
 * Updates the indexes (verifying them) and returns every .deb the bootstrap may install. With a lists cache,
 * apt starts from the lists of the last update of the same sources and fetches only what changed.
 */
export async function resolveClosure(ctx: StepContext, input: AptClosureInput): Promise<DebFile[]> {
  const dir = join(input.workDir, 'apt-closure');
  const lists = join(dir, 'lists');
  await mkdir(join(lists, 'partial'), { recursive: true });
  await mkdir(join(dir, 'cache/archives/partial'), { recursive: true });
  await mkdir(join(dir, 'preferences.d'), { recursive: true });
  await writeFile(join(dir, 'status'), '');
  const options = aptOptions(input);
  const quiet = { onLine: () => {} };
  const entry = input.listsCache ? await listsEntry(input.listsCache, input) : undefined;
  const cached = entry ? await seedLists(entry, lists) : undefined;
  if (cached) ctx.log(`apt starts from the index files of ${cached}`);
  // --error-on=any: an index apt could not fetch fails the build, where apt would otherwise go on with the
  // old one (a seeded list) or none.
  await ctx.run('apt-get', [...options, '-q', '--error-on=any', 'update'], quiet);
  if (entry) await storeLists(entry, lists);
  const debs = new Map<string, DebFile>();
  for (const round of installRounds(input)) {
    const { stdout } = await ctx.run(
      'apt-get',
      [...options, '-q', '--print-uris', '--no-install-recommends', 'install', ...round],
      quiet,
    );
    for (const deb of parsePrintUris(stdout)) debs.set(deb.file, deb);
  }
  ctx.log(`apt can install all ${input.packages.length} requested packages (${debs.size} .deb files)`);
  return [...debs.values()];
}

/**
 * Downloads the given files of the closure into a host-only folder, all in one apt acquire run (apt-helper:
 * apt's own methods, proxies and retries, and each file checked against the SHA-256 of the signed index as it
 * arrives), without apt reading the package lists again for it.
 */
export async function downloadClosure(
  ctx: StepContext,
  input: AptClosureInput,
  debs: DebFile[],
  into: string,
): Promise<void> {
  await mkdir(into, { recursive: true });
  await ctx.run('/usr/lib/apt/apt-helper', [
    ...aptOptions(input),
    'download-file',
    ...debs.flatMap((deb) => [deb.uri, join(into, deb.file), `SHA256:${deb.sha256}`]),
  ]);
}

/** The verified index files, for mmdebstrap to use instead of downloading its own. */
export async function copyIndexes(input: AptClosureInput, into: string): Promise<void> {
  const lists = join(input.workDir, 'apt-closure/lists');
  await mkdir(into, { recursive: true });
  for (const name of await listFiles(lists)) await copyFile(join(lists, name), join(into, name));
}

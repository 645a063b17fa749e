// The build key: one full SHA-256 over everything that decides an image, so two jobs with the same key would
// build the same image and the second can take the first one's files. Whatever reaches the image from the
// request is in it (an input left out would let one request be answered with another's image: the lesson of
// OpenWrt's CVE-2024-54143), and its encoding cannot be forged by a field that holds another's text.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTokenMap, withDefaultTokens } from '../kickstart/index.ts';
import { aptSourcesOf } from './apt-sources.ts';
import { releaseDigest, repomdDigest } from './cache.ts';
import { resolveKickstart } from './from-kickstart.ts';

/** What a job asks the builder for: the request's fields as the job stores them. */
export interface BuildRequest {
  kickstart: string;
  type: string;
  arch: string;
  /** The image's name: it names the files and reaches the scripts (IMG_NAME). */
  name: string;
  tokenmap: string;
  extraRepos: readonly string[];
  packages: readonly string[];
  /** `[worker] gpg_key_dir`, where `repo --gpgkey=file:` is read from. */
  gpgKeyDir: string;
}

/** A package source as the build resolves it, with the digest of its metadata at that moment. */
export interface SourceDigest {
  kind: 'apt' | 'rpm';
  url: string;
  /** apt: suite and components; rpm: none. */
  suite: string;
  components: readonly string[];
  /** SHA-256 of the suite's InRelease (or Release), or of the repository's repomd.xml. */
  sha256: string;
}

/** Everything the key is computed from, each field in the form that decides the image. */
export interface BuildKeyInputs {
  /** The kickstart's meaning: the library's canonical text, includes flattened, tokens and overlay applied. */
  kickstart: string;
  type: string;
  arch: string;
  name: string;
  /** Every token the build sees, defaults included, as name and value. */
  tokens: readonly (readonly [string, string])[];
  extraRepos: readonly string[];
  packages: readonly string[];
  builderVersion: string;
  sources: readonly SourceDigest[];
}

/** Names the encoding: a change of what the key covers starts a new series of keys. */
const KEY_FORMAT = 'img-build-key/1';

/**
 * The key: SHA-256 (64 hex digits, never shortened) of canonical JSON, an array of fields in a fixed order.
 * JSON quotes and escapes every string, so no value can end its field early and pass for the next one; tokens
 * are sorted by name (their order changes nothing), packages and repositories keep theirs (a later `-vim`
 * undoes an earlier `vim`).
 */
export function buildKey(inputs: BuildKeyInputs): string {
  const tokens = [...inputs.tokens].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const fields = [
    KEY_FORMAT,
    inputs.kickstart,
    inputs.type,
    inputs.arch,
    inputs.name,
    tokens,
    [...inputs.extraRepos],
    [...inputs.packages],
    inputs.builderVersion,
    inputs.sources.map((source) => [
      source.kind,
      source.url,
      source.suite,
      [...source.components],
      source.sha256,
    ]),
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

export interface ResolvedBuildKey {
  key: string;
  sources: SourceDigest[];
}

/**
 * Resolves the request as the build would (its plan, the kind of each repository, the host's apt sources when
 * it names none) and reads each source's metadata digest now, then computes the key. Throws what the build's
 * resolve step would throw for a request that cannot build (a refused kickstart, an unreachable repository).
 */
export async function resolveBuildKey(request: BuildRequest, signal: AbortSignal): Promise<ResolvedBuildKey> {
  const { recipe, asBuilt } = await resolveKickstart(
    {
      kickstart: request.kickstart,
      type: request.type,
      arch: request.arch,
      name: request.name,
      tokenmap: request.tokenmap,
      overlay: { repos: [...request.extraRepos], packages: [...request.packages] },
      gpgKeyDir: request.gpgKeyDir,
      outputDir: '',
    },
    signal,
  );
  const sources: SourceDigest[] = [];
  const rpm = recipe.sources.filter((source) => source.kind === 'rpm');
  for (const repo of rpm) {
    sources.push({
      kind: 'rpm',
      url: repo.url,
      suite: '',
      components: [],
      sha256: await repomdDigest(repo, signal),
    });
  }
  if (rpm.length === 0) {
    for (const repo of (await aptSourcesOf(recipe)).repos) {
      const { sha256 } = await releaseDigest(repo, signal);
      sources.push({ kind: 'apt', url: repo.url, suite: repo.suite, components: repo.components, sha256 });
    }
  }
  const parsed = parseTokenMap(request.tokenmap);
  const tokens = withDefaultTokens(parsed.ok ? parsed.tokens : new Map(), recipe.arch);
  const key = buildKey({
    kickstart: asBuilt,
    type: recipe.type,
    arch: recipe.arch,
    name: request.name,
    tokens: [...tokens],
    extraRepos: request.extraRepos,
    packages: request.packages,
    builderVersion: await builderCodeVersion(),
    sources,
  });
  return { key, sources };
}

let codeVersion: Promise<string> | undefined;

/**
 * The folders under src/ whose code makes images: the builder and what it imports (the kickstart library reads
 * the request into the recipe, the contract defines files it writes such as the manifest).
 */
export const KEYED_CODE_FOLDERS = ['builder', 'kickstart', 'contract'] as const;

/**
 * IMG's version and a hash of every source file of KEYED_CODE_FOLDERS, read once a process: any change to how
 * images are made (even between releases) changes every key. The TypeScript sources are hashed whether this
 * module runs from src/ or from the compiled dist/, so both agree.
 */
export function builderCodeVersion(): Promise<string> {
  codeVersion ??= (async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const hash = createHash('sha256');
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version?: string };
    hash.update(JSON.stringify(pkg.version ?? ''));
    for (const folder of KEYED_CODE_FOLDERS) {
      const dir = join(root, 'src', folder);
      const files = (await readdir(dir, { recursive: true }))
        .filter((file) => /\.(ts|js|sh|py)$/.test(file))
        .sort();
      for (const file of files) {
        hash.update(JSON.stringify(`${folder}/${file}`));
        hash.update(
          createHash('sha256')
            .update(await readFile(join(dir, file)))
            .digest('hex'),
        );
      }
    }
    return hash.digest('hex');
  })();
  return codeVersion;
}

// The build cache on this machine: downloaded .debs, and base roots keyed by a SHA-256 over every input
// that shapes them, so a key can only match a root built from the same repositories in the same state.
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The file itself, not the library's index: the CLI loads this module (defaultCacheDir) at every start.
import { fetchLimited } from '../kickstart/fetch-limited.ts';
import type { AptRepo, RpmRepo } from './recipe.ts';
import { sourceDateEpoch } from './reproducible.ts';

export const defaultCacheDir = '/var/cache/imger';

export interface CachePaths {
  debs: string;
  roots: string;
  /** initramfs images by key (initramfs.ts). */
  initramfs: string;
  /** apt's index files by sources (apt-lists-cache.ts). */
  aptLists: string;
}

export function cachePaths(cacheDir: string): CachePaths {
  return {
    debs: join(cacheDir, 'debs'),
    roots: join(cacheDir, 'roots'),
    initramfs: join(cacheDir, 'initramfs'),
    aptLists: join(cacheDir, 'apt-lists'),
  };
}

export interface BaseRootInputs {
  sources: { repo: AptRepo; releaseSha256: string }[];
  suite: string;
  debianArch: string;
  packages: string[];
  excludedPackages: string[];
  bootable: boolean;
  /** Changes whenever the code that makes a base root changes. */
  builderVersion: string;
}

/** An rpm root's inputs: every repository with its options, the SHA-256 of its repomd.xml and of its key. */
export interface RpmRootInputs {
  kind: 'rpm';
  sources: { repo: RpmRepo; repomdSha256: string; keySha256?: string }[];
  arch: string;
  packages: string[];
  excludedPackages: string[];
  excludeDocs: boolean;
  ignoreMissing: boolean;
  noCore: boolean;
  excludeWeakDeps: boolean;
  installLangs: string | null;
  multilib: boolean;
  bootable: boolean;
  /** A live medium's initramfs (dracut's dmsquash-live) is not a disk's. */
  live: boolean;
  builderVersion: string;
}

/** How many base roots the cache keeps: each is ~200 MB and every change of sources or packages makes one. */
export const keptBaseRoots = 6;
/** An entry used this recently is never pruned: another build may be about to read it. */
const recentUseMs = 60 * 60_000;

/** Marks a cached root or initramfs as just used, so pruning keeps what builds actually reuse. */
export async function touchCached(file: string): Promise<void> {
  const now = new Date();
  await utimes(file, now, now);
}

/** Removes the least recently used base roots beyond the newest `keep`. */
export function pruneRoots(rootsDir: string, keep = keptBaseRoots, now = Date.now()): Promise<string[]> {
  return pruneCached(rootsDir, '.tar.zst', keep, now);
}

/** Removes the least recently used files (or folders) ending in `suffix` beyond the newest `keep`. */
export async function pruneCached(
  dir: string,
  suffix: string,
  keep: number,
  now = Date.now(),
): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith(suffix));
  const roots = await Promise.all(
    names.map(async (name) => ({
      path: join(dir, name),
      used: (await stat(join(dir, name))).mtimeMs,
    })),
  );
  const stale = roots
    .sort((a, b) => b.used - a.used)
    .slice(keep)
    .filter((root) => now - root.used > recentUseMs);
  for (const root of stale) await rm(root.path, { recursive: true, force: true });
  return stale.map((root) => root.path);
}

/** JSON with sorted keys, so the same inputs always hash the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

export function baseRootKey(inputs: BaseRootInputs | RpmRootInputs): string {
  const normalised = {
    ...inputs,
    packages: [...new Set(inputs.packages)].sort(),
    excludedPackages: [...new Set(inputs.excludedPackages)].sort(),
  };
  return createHash('sha256').update(canonicalJson(normalised)).digest('hex');
}

/**
 * A hash of the bootstrap code itself: editing how roots are made invalidates every cached root. The TypeScript
 * sources are hashed (through the checkout's src/, whether this module runs from src/ or from the compiled dist/),
 * so the compiled CLI and the TypeScript tests share one cache.
 */
export async function builderVersion(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of ['bootstrap.ts', 'packages.ts', 'initramfs.ts', 'rpm-root.ts', 'rpm-initramfs.ts']) {
    hash.update(await readFile(fileURLToPath(new URL(`../../src/builder/${file}`, import.meta.url))));
  }
  return hash.digest('hex');
}

/** Far above any archive's InRelease (Debian's: about 150 KiB), far below what would strain the worker. */
const maxReleaseBytes = 16 * 2 ** 20;

export interface ReleaseFacts {
  sha256: string;
  /** Its `Date:` as SOURCE_DATE_EPOCH seconds (reproducible.ts), when it has a plausible one. */
  date?: number;
}

/**
 * The SHA-256 of a suite's InRelease (or Release) file. It changes whenever the archive changes, so it ties
 * a cached root to the archive state it was built from. Failing to fetch it means the repo is unreachable.
 */
export function releaseDigest(repo: AptRepo, signal: AbortSignal): Promise<ReleaseFacts> {
  const base = `${repo.url.replace(/\/$/, '')}/dists/${repo.suite}`;
  return firstDigest([`${base}/InRelease`, `${base}/Release`], signal);
}

/**
 * The SHA-256 of an rpm repository's repomd.xml, which changes whenever the repository does (every metadata
 * file's digest is in it); for a repository by metalink, of the metalink, which names repomd.xml's digest; by
 * mirror list, of the list, which does not change with the repository (the base root cache skips those).
 */
export async function repomdDigest(repo: RpmRepo, signal: AbortSignal): Promise<string> {
  const url = repo.metalink ?? repo.mirrorlist ?? `${repo.url.replace(/\/$/, '')}/repodata/repomd.xml`;
  return (await firstDigest([url], signal)).sha256;
}

/** The SHA-256 (and date) of the first of these files that can be read. */
async function firstDigest(urls: readonly string[], signal: AbortSignal): Promise<ReleaseFacts> {
  const errors: string[] = [];
  for (const url of urls) {
    try {
      const body = url.startsWith('file:')
        ? await readFile(fileURLToPath(url))
        : await fetchLimited(url, maxReleaseBytes, signal);
      const date = sourceDateEpoch([body.toString('latin1')]);
      return { sha256: createHash('sha256').update(body).digest('hex'), ...(date ? { date } : {}) };
    } catch (error) {
      if (signal.aborted) throw error;
      errors.push(`${url}: ${(error as Error).message}`);
    }
  }
  throw new RepositoryUnreachable(`Failed to fetch ${errors.join('; ')}`);
}

export class RepositoryUnreachable extends Error {
  override readonly name = 'RepositoryUnreachable';
}

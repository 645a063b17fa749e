import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { describeFsError } from '../fs-error.ts';
import type { ConfigurationsFile } from './configurations.ts';
import { errorAt } from './errors.ts';
import { failed, parseConfigurations, renderParsed } from './kickstarter.ts';
import { snippetFolders } from './snippets.ts';
import type { KickstarterError, KickstarterResult, Outcome, SourceFile } from './types.ts';

export interface RenderKickstarterOptions {
  configPath: string;
  /** Defaults to repos.yaml beside configPath. A missing default file is no error; a missing given one is. */
  reposPath?: string;
  /** Names or FileNames to render, even when inactive; every active image when absent or empty. */
  only?: readonly string[];
}

/**
 * Reads configurations.yaml, its repos file, its ExternalConfigs folders and the scripts/ and partitions/ folders
 * beside it, then renders every selected image. Problems come back in the result; this never rejects.
 */
export async function renderKickstarter(options: RenderKickstarterOptions): Promise<KickstarterResult> {
  const source = await readSource(options.configPath);
  if (!source.ok) return failed(source.errors);
  const parsed = parseConfigurations(source.value);
  if (!parsed.ok) return failed(parsed.errors);
  const baseDir = dirname(options.configPath);
  const repos = await readReposFile(options.reposPath, baseDir);
  if (!repos.ok) return failed(repos.errors);
  const [external, snippets] = await Promise.all([
    readExternalConfigs(parsed.value.configurations, baseDir),
    readSnippets(baseDir),
  ]);
  const result = renderParsed(parsed.value, {
    ...(repos.value === undefined ? {} : { repos: repos.value }),
    externalConfigs: external.files,
    snippets: snippets.snippets,
    ...(options.only === undefined ? {} : { only: options.only }),
  });
  return { ...result, errors: [...external.errors, ...snippets.errors, ...result.errors] };
}

async function readSource(path: string): Promise<Outcome<SourceFile>> {
  const read = await readOptionalSource(path);
  if (!read.ok) return read;
  if (read.value === undefined) return { ok: false, errors: [readError(path, 'does not exist')] };
  return { ok: true, value: read.value };
}

async function readOptionalSource(path: string): Promise<Outcome<SourceFile | undefined>> {
  try {
    return { ok: true, value: { path, text: await readFile(path, 'utf8') } };
  } catch (error) {
    if (isMissing(error)) return { ok: true, value: undefined };
    return { ok: false, errors: [readError(path, describeFsError(error))] };
  }
}

function readReposFile(given: string | undefined, baseDir: string): Promise<Outcome<SourceFile | undefined>> {
  return given === undefined ? readOptionalSource(join(baseDir, 'repos.yaml')) : readSource(given);
}

/** One image per `*.yaml` file, in name order; kickstarter skipped other files (BMC#16397). */
async function readExternalConfigs(
  configurations: ConfigurationsFile,
  baseDir: string,
): Promise<{ files: SourceFile[]; errors: KickstarterError[] }> {
  const files: SourceFile[] = [];
  const errors: KickstarterError[] = [];
  for (const [index, folder] of configurations.externalConfigDirs.entries()) {
    const path = resolve(baseDir, folder);
    const names = await readdir(path).catch((error: unknown) => {
      const message = `cannot read the folder ${path}: ${describeFsError(error)}`;
      errors.push(errorAt(configurations.document, ['ExternalConfigs', index], message, 'ExternalConfigs'));
      return [];
    });
    for (const name of names.filter((candidate) => candidate.endsWith('.yaml')).sort()) {
      const read = await readSource(join(path, name));
      if (read.ok) files.push(read.value);
      else errors.push(...read.errors);
    }
  }
  return { files, errors };
}

/** Every file of scripts/ and partitions/, so that rendering can look them up without touching the disk. */
async function readSnippets(
  baseDir: string,
): Promise<{ snippets: Map<string, string>; errors: KickstarterError[] }> {
  const snippets = new Map<string, string>();
  const errors: KickstarterError[] = [];
  for (const folder of snippetFolders) {
    const entries = await readdir(join(baseDir, folder), { withFileTypes: true }).catch((error: unknown) => {
      // Neither folder is required: a configuration that names no script or partition needs none.
      if (!isMissing(error)) errors.push(readError(join(baseDir, folder), describeFsError(error)));
      return [];
    });
    for (const entry of entries.filter((candidate) => !candidate.isDirectory())) {
      const read = await readSource(join(baseDir, folder, entry.name));
      if (read.ok) snippets.set(`${folder}/${entry.name}`, read.value.text);
      else errors.push(...read.errors);
    }
  }
  return { snippets, errors };
}

function readError(file: string, reason: string): KickstarterError {
  return { file, message: `cannot read: ${reason}` };
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

import { dirname } from 'node:path';
import { type ConfigurationsFile, externalImageEntry, readConfigurationsFile } from './configurations.ts';
import { errorAt, uniqueErrors } from './errors.ts';
import { renderImages } from './render.ts';
import { type RepositoryTable, readRepositories } from './repositories.ts';
import type { Snippets } from './snippets.ts';
import type { KickstarterError, KickstarterResult, Outcome, SourceFile } from './types.ts';
import { loadYaml } from './yaml.ts';

export interface KickstarterTexts {
  configurations: SourceFile;
  /** repos.yaml; without it, any image naming a repository fails. */
  repos?: SourceFile;
  /**
   * The `*.yaml` files of the ExternalConfigs folders, already read: this variant touches no disk, so the folders
   * the configurations file names are the caller's to list. Absent, a file naming such folders is refused.
   */
  externalConfigs?: readonly SourceFile[];
  /** Absent, an image that needs a script or partition file is refused, naming the key that asks for it. */
  snippets?: Snippets;
  /** Names or FileNames to render, even when inactive; every active image when absent or empty. */
  only?: readonly string[];
}

/** Renders kickstarter YAML that has already been read; the same rules as renderKickstarter, without the disk. */
export function renderKickstarterText(texts: KickstarterTexts): KickstarterResult {
  const configurations = parseConfigurations(texts.configurations);
  return configurations.ok ? renderParsed(configurations.value, texts) : failed(configurations.errors);
}

export interface ParsedConfigurations {
  configurations: ConfigurationsFile;
  errors: KickstarterError[];
}

export function parseConfigurations(source: SourceFile): Outcome<ParsedConfigurations> {
  const document = loadYaml(source);
  return document.ok ? { ok: true, value: readConfigurationsFile(document.value) } : document;
}

/** The second half of rendering, shared with renderKickstarter, which must parse first to find the folders to read. */
export function renderParsed(
  parsed: ParsedConfigurations,
  texts: Omit<KickstarterTexts, 'configurations'>,
): KickstarterResult {
  const repositories = parseRepositories(texts.repos);
  // Rendering against a repos file that did not parse would only add one misleading error per repository used.
  if (!repositories.ok) return failed([...parsed.errors, ...repositories.errors]);

  const errors = [...parsed.errors, ...repositories.value.errors];
  if (texts.externalConfigs === undefined && parsed.configurations.externalConfigDirs.length > 0) {
    errors.push(
      errorAt(
        parsed.configurations.document,
        ['ExternalConfigs'],
        'names folders, but no files of them were given: put those configurations in this file',
        'ExternalConfigs',
      ),
    );
  }
  const externalImages = (texts.externalConfigs ?? []).flatMap((source) => {
    const document = loadYaml(source);
    if (document.ok) return [externalImageEntry(document.value)];
    errors.push(...document.errors);
    return [];
  });
  const result = renderImages({
    configurations: parsed.configurations,
    externalImages,
    repositories: repositories.value.repositories,
    ...(texts.snippets === undefined ? {} : { snippets: texts.snippets }),
    baseDir: dirname(parsed.configurations.document.file),
    ...(texts.only === undefined ? {} : { only: texts.only }),
  });
  return { ...result, errors: uniqueErrors([...errors, ...result.errors]) };
}

function parseRepositories(
  source: SourceFile | undefined,
): Outcome<{ repositories: RepositoryTable; errors: KickstarterError[] }> {
  if (source === undefined) return { ok: true, value: { repositories: new Map(), errors: [] } };
  const document = loadYaml(source);
  return document.ok ? { ok: true, value: readRepositories(document.value) } : document;
}

export function failed(errors: KickstarterError[]): KickstarterResult {
  return { files: [], errors, inactive: [] };
}

import { basename, join } from 'node:path';
import type { ConfigurationsFile, ImageEntry } from './configurations.ts';
import { uniqueErrors } from './errors.ts';
import { kickstartText } from './kickstart-text.ts';
import { type RepositoryTable, repositoryLine } from './repositories.ts';
import { imageError, imageResolver, type ResolvedImage } from './resolve.ts';
import type { ListKey, TextKey } from './settings.ts';
import { noChrootScriptPath, partitionPath, postScriptPath, type Snippets } from './snippets.ts';
import type { KickstarterError, KickstarterFile, KickstarterResult, Outcome } from './types.ts';

export interface RenderInputs {
  configurations: ConfigurationsFile;
  externalImages: readonly ImageEntry[];
  repositories: RepositoryTable;
  /** Absent when the caller has no files beside the YAML at all, rather than none of the name asked for. */
  snippets?: Snippets;
  /** Folder of configurations.yaml: snippet paths in messages are shown under it. */
  baseDir: string;
  /** Names or FileNames to render, inactive or not; all active images when absent or empty. */
  only?: readonly string[];
}

export function renderImages(inputs: RenderInputs): KickstarterResult {
  const resolve = imageResolver(inputs.configurations);
  const requested = new Set(inputs.only ?? []);
  const found = new Set<string>();
  const files: KickstarterFile[] = [];
  const errors: KickstarterError[] = [];
  const inactive: string[] = [];
  const written = new Map<string, string>();

  for (const entry of [...inputs.configurations.images, ...inputs.externalImages]) {
    const image = resolve(entry);
    const names = [image.settings.Name, image.settings.FileName].filter((name) => name !== undefined);
    if (requested.size > 0) {
      const asked = names.filter((name) => requested.has(name));
      if (asked.length === 0) continue;
      for (const name of asked) found.add(name);
    } else if (image.settings.Active === false) {
      inactive.push(image.label);
      continue;
    }
    const rendered = renderImage(image, inputs);
    if (!rendered.ok) {
      errors.push(...rendered.errors);
      continue;
    }
    const earlier = written.get(rendered.value.path);
    if (earlier !== undefined) {
      errors.push(imageError(image, 'FileName', `${earlier} already writes ${rendered.value.path}`));
      continue;
    }
    written.set(rendered.value.path, image.settings.Name ?? image.label);
    files.push(rendered.value);
  }

  for (const name of requested) {
    if (!found.has(name)) {
      errors.push({
        file: inputs.configurations.document.file,
        message: `no configuration has the Name or FileName ${name}`,
      });
    }
  }
  return { files, errors: uniqueErrors(errors), inactive };
}

function renderImage(image: ResolvedImage, inputs: RenderInputs): Outcome<KickstarterFile> {
  if (image.errors.length > 0) return { ok: false, errors: image.errors };
  const { settings } = image;
  const errors: KickstarterError[] = [];
  const fail = (key: TextKey | ListKey, message: string, item?: string) => {
    errors.push(imageError(image, key, message, item));
  };
  const snippet = (key: 'Part' | 'PostScripts' | 'NoChrootScripts', name: string, path: string) => {
    const text = inputs.snippets?.get(path);
    if (text === undefined) {
      const problem =
        inputs.snippets === undefined
          ? `needs ${path}, but no script or partition files were given`
          : `${join(inputs.baseDir, path)} does not exist`;
      fail(key, problem, key === 'Part' ? undefined : name);
    }
    return text;
  };

  if (settings.FileName === undefined) fail('FileName', 'is required: it names the output file');
  for (const key of ['FileName', 'Baseline'] as const) {
    const value = settings[key];
    if (value !== undefined && !isPlainName(value)) fail(key, `must be a plain name, not a path: ${value}`);
  }
  const repositoryLines = (settings.Repos ?? []).flatMap((name) => {
    const repository = inputs.repositories.get(name);
    if (repository !== undefined) return [repositoryLine(repository, settings)];
    fail('Repos', `no repository named ${name} in the repos file`, name);
    return [];
  });
  const partition =
    settings.Part === undefined ? undefined : snippet('Part', settings.Part, partitionPath(settings.Part));
  const postScripts = (settings.PostScripts ?? []).flatMap(
    (name) => snippet('PostScripts', name, postScriptPath(name)) ?? [],
  );
  const noChrootScripts = (settings.NoChrootScripts ?? []).flatMap(
    (name) => snippet('NoChrootScripts', name, noChrootScriptPath(name)) ?? [],
  );

  if (errors.length > 0 || settings.FileName === undefined) return { ok: false, errors };
  const text = kickstartText({
    settings,
    sourceName: basename(image.layers.at(-1)!.origin.document.file),
    repositoryLines,
    postScript: concatenateScripts(postScripts),
    noChrootScript: concatenateScripts(noChrootScripts),
    ...(partition === undefined ? {} : { partition }),
  });
  const fileName = `${settings.FileName}.ks`;
  const path = settings.Baseline === undefined ? fileName : `${settings.Baseline}/${fileName}`;
  return { ok: true, value: { path, name: settings.Name ?? settings.FileName, text } };
}

/** Scripts are run as one, so each must end its last line before the next begins. */
function concatenateScripts(scripts: readonly string[]): string {
  return scripts.map((script) => (script === '' || script.endsWith('\n') ? script : `${script}\n`)).join('');
}

/** Output paths come from these values: they must not climb out of the output folder. */
function isPlainName(value: string): boolean {
  return value !== '' && value !== '.' && value !== '..' && !/[/\\]/.test(value);
}

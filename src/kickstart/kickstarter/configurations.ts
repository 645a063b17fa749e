import { errorAt } from './errors.ts';
import type { KickstarterError } from './types.ts';
import { isMapping, type YamlDocument, type YamlPath, type YamlValue } from './yaml.ts';

/** One image configuration as written: an item of `Configurations` or a whole ExternalConfigs file. */
export interface ImageEntry {
  document: YamlDocument;
  path: YamlPath;
  value: YamlValue;
}

export interface ConfigurationsFile {
  document: YamlDocument;
  defaults: YamlValue | undefined;
  /** Every other top-level key: a configuration's `Platform` picks one of these by name. */
  platforms: ReadonlyMap<string, YamlValue>;
  images: ImageEntry[];
  externalConfigDirs: string[];
}

const reservedKeys = new Set(['Default', 'Configurations', 'ExternalConfigs']);

export function readConfigurationsFile(document: YamlDocument): {
  configurations: ConfigurationsFile;
  errors: KickstarterError[];
} {
  const errors: KickstarterError[] = [];
  const fail = (key: string | undefined, message: string) =>
    errors.push(errorAt(document, key === undefined ? [] : [key], message, key));
  const root = document.value;
  const top = isMapping(root) ? root : {};
  if (!isMapping(root) && root !== null) {
    fail(undefined, 'the configurations file must be a mapping at the top');
  }

  const listed = top.Configurations ?? null;
  if (listed !== null && !Array.isArray(listed)) fail('Configurations', 'must be a list of images');
  const images = (Array.isArray(listed) ? listed : []).map((value, index) => ({
    document,
    path: ['Configurations', index],
    value,
  }));

  const folders = top.ExternalConfigs ?? null;
  const externalConfigDirs = Array.isArray(folders) ? folders.filter((item) => typeof item === 'string') : [];
  if (folders !== null && (!Array.isArray(folders) || externalConfigDirs.length !== folders.length)) {
    fail('ExternalConfigs', 'must be a list of folder names');
  }

  const platforms = new Map(Object.entries(top).filter(([key]) => !reservedKeys.has(key)));
  return {
    configurations: { document, defaults: top.Default, platforms, images, externalConfigDirs },
    errors,
  };
}

export function externalImageEntry(document: YamlDocument): ImageEntry {
  return { document, path: [], value: document.value };
}

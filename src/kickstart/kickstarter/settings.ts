import { errorAt } from './errors.ts';
import type { KickstarterError } from './types.ts';
import { isMapping, type YamlDocument, type YamlPath, type YamlValue } from './yaml.ts';

/** Per-image keys of the kickstarter template whose value is one piece of text. */
const textKeys = [
  'Name',
  'FileName',
  'Platform',
  'Baseline',
  'Architecture',
  'Distribution',
  'Mic2Options',
  'Language',
  'Keyboard',
  'Timezone',
  'Part',
  'PartSize',
  'FileSystem',
  'RootPass',
  'BootloaderTimeout',
  'BootloaderAppend',
  'BootloaderOptions',
  'Desktop',
  'Session',
  'DefaultUser',
  'DefaultUserPass',
  'PackageArgs',
  'Kernel',
  'Schedule',
] as const;

const flagKeys = ['Active', 'SaveRepos', 'StartX'] as const;

/** Lists that add up over Default, platform and image instead of replacing each other. */
export const mergedListKeys = [
  'Repos',
  'Groups',
  'PostScripts',
  'NoChrootScripts',
  'RemovePackages',
  'ExtraPackages',
] as const;

const listKeys = [...mergedListKeys, 'PrePackages'] as const;

export type TextKey = (typeof textKeys)[number];
type FlagKey = (typeof flagKeys)[number];
export type ListKey = (typeof listKeys)[number];

export type Settings = { [K in TextKey]?: string } & { [K in FlagKey]?: boolean } & {
  [K in ListKey]?: readonly string[];
};

/** Where one block of settings (Default, a platform, an image) was written, to point errors at it. */
interface Origin {
  document: YamlDocument;
  path: YamlPath;
  /** How messages name the block, e.g. `Default` or `platform DEV`. */
  label: string;
}

export interface Layer {
  settings: Settings;
  origin: Origin;
}

/** YAML 1.1 spellings, as PyYAML read them for the original kickstarter. */
const trueWords = new Set(['true', 'yes', 'on', 'y']);
const falseWords = new Set(['false', 'no', 'off', 'n']);

/**
 * Reads one block. Keys that are not part of the template are ignored, like the original did; a key with a value
 * of the wrong shape is left out and reported, so one block yields every error it has at once.
 */
export function readLayer(
  value: YamlValue | undefined,
  origin: Origin,
): { layer: Layer; errors: KickstarterError[] } {
  const settings: Record<string, string | boolean | readonly string[]> = {};
  const errors: KickstarterError[] = [];
  if (value === null || value === undefined) return { layer: { settings, origin }, errors };
  if (!isMapping(value)) {
    errors.push(errorInBlock(origin, undefined, `${origin.label} must be a mapping of keys to values`));
    return { layer: { settings, origin }, errors };
  }
  for (const [key, raw] of Object.entries(value)) {
    if (raw === null) continue;
    const read = readSetting(key, raw);
    if (read === undefined) continue;
    if (typeof read === 'object' && 'problem' in read) errors.push(errorInBlock(origin, key, read.problem));
    else settings[key] = read;
  }
  return { layer: { settings: settings as Settings, origin }, errors };
}

export function errorInBlock(origin: Origin, key: string | undefined, message: string): KickstarterError {
  return errorAt(origin.document, key === undefined ? origin.path : [...origin.path, key], message, key);
}

type Read = string | boolean | readonly string[] | { problem: string } | undefined;

function readSetting(key: string, raw: NonNullable<YamlValue>): Read {
  if (isKeyOf(textKeys, key)) {
    if (typeof raw !== 'string') return { problem: `must be a single value, not a ${shapeOf(raw)}` };
    return isOneLine(raw) ? raw : { problem: oneLineProblem };
  }
  if (isKeyOf(flagKeys, key)) {
    if (typeof raw === 'string') {
      const word = raw.toLowerCase();
      if (trueWords.has(word)) return true;
      if (falseWords.has(word)) return false;
    }
    return { problem: `must be true or false, not ${describe(raw)}` };
  }
  if (isKeyOf(listKeys, key)) {
    if (!Array.isArray(raw)) return { problem: `must be a list, not ${describe(raw)}` };
    const items = raw.filter((item): item is string => typeof item === 'string');
    if (items.length !== raw.length)
      return { problem: 'must list single values only, not lists or mappings' };
    return items.every(isOneLine) ? items : { problem: oneLineProblem };
  }
  return undefined;
}

/** Every value lands inside one kickstart line, where a line break would start a new command. */
const oneLineProblem = 'must fit on one line: a line break would start a new kickstart command';

function isOneLine(value: string): boolean {
  return !/[\r\n]/.test(value);
}

function isKeyOf<K extends string>(keys: readonly K[], key: string): key is K {
  return (keys as readonly string[]).includes(key);
}

function shapeOf(value: Exclude<YamlValue, string | null>): string {
  return Array.isArray(value) ? 'list' : 'mapping';
}

function describe(value: NonNullable<YamlValue>): string {
  return typeof value === 'string' ? `'${value}'` : `a ${shapeOf(value)}`;
}

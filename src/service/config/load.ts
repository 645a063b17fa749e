import { readFileSync } from 'node:fs';
import { parse as parseIni } from 'ini';
import { CONFIG_KEYS, type Config, type KeySpec } from './keys.ts';

export const DEFAULT_CONFIG_FILE = '/etc/imger/img.conf';

/** Start-up must stop: every bad value is listed, each naming its key. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

export interface LoadConfigOptions {
  /** `--config FILE`; wins over IMG_CONFIG. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  warn?: (message: string) => void;
}

/** The file (if any), then `IMG_<SECTION>_<KEY>` variables over it, validated and frozen. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const warn = options.warn ?? ((message) => process.stderr.write(`imger: warning: ${message}\n`));
  const problems: string[] = [];
  const { path, sections } = readFile(options.file ?? env.IMG_CONFIG);

  for (const [section, values] of Object.entries(sections)) {
    const known = (CONFIG_KEYS as Record<string, Record<string, unknown>>)[section];
    if (!known) {
      warn(`${path}: unknown section [${section}] is ignored`);
      continue;
    }
    if (typeof values !== 'object' || values === null) continue;
    for (const key of Object.keys(values)) {
      if (!(key in known)) warn(`${path}: unknown key ${section}.${key} is ignored`);
    }
  }

  const config: Record<string, Record<string, unknown>> = {};
  for (const [section, keys] of Object.entries(CONFIG_KEYS)) {
    const values: Record<string, unknown> = {};
    const fromFile = sections[section];
    for (const [key, spec] of Object.entries(keys) as [string, KeySpec<unknown>][]) {
      const envName = `IMG_${section.toUpperCase()}_${key.toUpperCase()}`;
      const fileValue =
        typeof fromFile === 'object' && fromFile !== null
          ? (fromFile as Record<string, unknown>)[key]
          : undefined;
      const raw = env[envName] ?? (fileValue === undefined ? spec.default : String(fileValue));
      const source = env[envName] !== undefined ? `${envName}` : `[${section}] ${key}`;
      try {
        values[key] = spec.parse(raw);
      } catch (error) {
        problems.push(`${source}: ${(error as Error).message}`);
      }
    }
    config[section] = Object.freeze(values);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config) as unknown as Config;
}

function readFile(explicit: string | undefined): { path: string; sections: Record<string, unknown> } {
  const path = explicit ?? DEFAULT_CONFIG_FILE;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    // Only a file the user named must exist; without one, the defaults are the configuration.
    if (explicit === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT')
      return { path, sections: {} };
    throw new ConfigError([`${path}: cannot read the configuration: ${(error as Error).message}`]);
  }
  return { path, sections: parseIni(text) };
}

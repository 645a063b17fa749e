import type { ScriptKind } from './model.ts';
import { type OptionsSpec, type Origin, opt } from './options.ts';

/** How a section's body is read. */
export type SectionBody = 'packages' | 'script' | 'lines' | 'addon' | 'raw';

export interface SectionSpec {
  name: string;
  body: SectionBody;
  options: OptionsSpec;
  origin?: Origin;
  script?: ScriptKind;
}

const scriptOptions = {
  interpreter: opt.string({ describe: 'an interpreter path' }),
  erroronfail: opt.flag(),
  log: opt.string({ aliases: ['logfile'], describe: 'a log file path' }),
} as const;

export const PACKAGES_OPTIONS = {
  default: opt.flag(),
  excludedocs: opt.flag(),
  ignoremissing: opt.flag(),
  ignorebroken: opt.flag(),
  nocore: opt.flag(),
  multilib: opt.flag(),
  excludeWeakdeps: opt.flag({ aliases: ['exclude-weakdeps'] }),
  'inst-langs': opt.string({ deprecatedAliases: { instLangs: 'use --inst-langs' }, describe: 'a list of languages' }),
  timeout: opt.int({ min: 0 }),
  retries: opt.int({ min: 0 }),
  nobase: opt.flag({ removed: 'pykickstart dropped it; the base group is no longer implied' }),
  resolvedeps: opt.flag({ removed: 'dependencies are always resolved' }),
  ignoredeps: opt.flag({ removed: 'dependencies are always resolved' }),
} as const;

function script(name: string, kind: ScriptKind, extra: OptionsSpec = {}, origin?: Origin): SectionSpec {
  return { name, body: 'script', script: kind, options: { ...scriptOptions, ...extra }, ...(origin && { origin }) };
}

/** Every section IMG reads, by header. A `%`-line naming one of these inside another section starts it. */
export const SECTIONS: ReadonlyMap<string, SectionSpec> = new Map(
  [
    { name: '%packages', body: 'packages', options: PACKAGES_OPTIONS } satisfies SectionSpec,
    script('%pre', 'pre'),
    script('%pre-install', 'pre-install'),
    script('%post', 'post', { nochroot: opt.flag() }),
    script('%onerror', 'onerror'),
    script('%traceback', 'traceback'),
    script('%pack', 'pack', {}, 'mic'),
    { name: '%prepackages', body: 'lines', options: {}, origin: 'mic' } satisfies SectionSpec,
    { name: '%attachment', body: 'lines', options: {}, origin: 'mic' } satisfies SectionSpec,
    { name: '%addon', body: 'addon', options: {} } satisfies SectionSpec,
    { name: '%anaconda', body: 'raw', options: {} } satisfies SectionSpec,
  ].map((s): [string, SectionSpec] => [s.name, s]),
);

export const DEFAULT_INTERPRETER = '/bin/sh';

import type { ScriptKind } from './model.ts';
import { type OptionsSpec, type Origin, opt } from './options.ts';

/** How a section's body is read. */
export type SectionBody = 'packages' | 'script' | 'lines' | 'addon' | 'raw' | 'certificate';

export interface SectionSpec {
  name: string;
  body: SectionBody;
  options: OptionsSpec;
  origin?: Origin;
  script?: ScriptKind;
  /** The section still works but warns with this advice. */
  deprecated?: string;
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
  'exclude-weakdeps': opt.flag({ deprecatedAliases: { excludeWeakdeps: 'use --exclude-weakdeps' } }),
  'inst-langs': opt.string({
    deprecatedAliases: { instLangs: 'use --inst-langs' },
    describe: 'a list of languages',
  }),
  timeout: opt.int({ min: 0 }),
  retries: opt.int({ min: 0 }),
  nobase: opt.flag({ removed: 'pykickstart dropped it; the base group is no longer implied' }),
  resolvedeps: opt.flag({ removed: 'dependencies are always resolved' }),
  ignoredeps: opt.flag({ removed: 'dependencies are always resolved' }),
} as const;

/**
 * The %packages options a later header keeps. pykickstart sets every other one anew from each header, so
 * `%packages --excludedocs` followed by a plain `%packages` installs the documentation.
 */
export const PACKAGES_STICKY_OPTIONS: readonly string[] = ['default', 'inst-langs'];

/** Options that may not be in force together, checked on the options in force once each header is read. */
export const PACKAGES_EXCLUSIVE: readonly (readonly string[])[] = [['default', 'nocore']];

function script(
  name: string,
  kind: ScriptKind,
  extra: OptionsSpec = {},
  more: Pick<SectionSpec, 'origin' | 'deprecated'> = {},
): SectionSpec {
  return { name, body: 'script', script: kind, options: { ...scriptOptions, ...extra }, ...more };
}

/** A certificate written into the installer and the installed system: to a folder, or placed by its type. */
export const CERTIFICATE_OPTIONS = {
  filename: opt.string({ required: true, describe: 'a file name' }),
  dir: opt.string({ describe: 'a folder' }),
  type: opt.string({ describe: 'a certificate type such as anchor' }),
} as const;

/** Every section IMG reads, by header. A `%`-line naming one of these inside another section starts it. */
export const SECTIONS: ReadonlyMap<string, SectionSpec> = new Map(
  [
    { name: '%packages', body: 'packages', options: PACKAGES_OPTIONS } satisfies SectionSpec,
    script('%pre', 'pre'),
    script('%pre-install', 'pre-install'),
    script('%post', 'post', { nochroot: opt.flag() }),
    script('%onerror', 'onerror'),
    script('%traceback', 'traceback', {}, { deprecated: 'use %onerror' }),
    script('%pack', 'pack', {}, { origin: 'mic' }),
    { name: '%prepackages', body: 'lines', options: {}, origin: 'mic' } satisfies SectionSpec,
    { name: '%attachment', body: 'lines', options: {}, origin: 'mic' } satisfies SectionSpec,
    { name: '%addon', body: 'addon', options: {} } satisfies SectionSpec,
    { name: '%anaconda', body: 'raw', options: {} } satisfies SectionSpec,
    { name: '%certificate', body: 'certificate', options: CERTIFICATE_OPTIONS } satisfies SectionSpec,
  ].map((s): [string, SectionSpec] => [s.name, s]),
);

export const DEFAULT_INTERPRETER = '/bin/sh';

import type { ParsedCommand } from './command-spec.ts';
import type { Location } from './diagnostics.ts';

export const SCRIPT_KINDS = ['pre', 'pre-install', 'post', 'onerror', 'traceback', 'pack'] as const;
export type ScriptKind = (typeof SCRIPT_KINDS)[number];

export interface Script {
  kind: ScriptKind;
  /** The text between the header and %end, exactly as written (line endings normalised to LF). */
  body: string;
  interpreter: string;
  nochroot: boolean;
  erroronfail: boolean;
  log: string | null;
  location: Location;
}

/** pykickstart's group levels: `@g` (default), `@g --optional` (all), `@g --nodefaults` (required). */
export type GroupInclude = 'default' | 'all' | 'required';

export interface PackageGroup {
  name: string;
  include: GroupInclude;
}

export interface PackageOptions {
  default?: boolean;
  excludedocs?: boolean;
  ignoremissing?: boolean;
  ignorebroken?: boolean;
  nocore?: boolean;
  multilib?: boolean;
  'exclude-weakdeps'?: boolean;
  'inst-langs'?: string;
  timeout?: number;
  retries?: number;
}

/** Every %packages section merged into one, as pykickstart does: a later line wins over an earlier one. */
export interface PackageSelection {
  options: PackageOptions;
  packages: string[];
  excludedPackages: string[];
  groups: PackageGroup[];
  excludedGroups: string[];
  environment: string | null;
  location: Location;
}

export interface Addon {
  name: string;
  args: string[];
  body: string;
  location: Location;
}

/** A %certificate section: the certificate (or bundle) text and where it goes. */
export interface Certificate {
  filename: string;
  /** The folder it is written to; null when --type places it. */
  dir: string | null;
  /** How it is placed and imported (anchor: a CA trust anchor); null when --dir says where. */
  type: string | null;
  /** The text between the header and %end, exactly as written. */
  body: string;
  location: Location;
}

export interface RawSection {
  body: string;
  location: Location;
}

/** mic's first-line header: `# -*-mic-options-*- TYPE --opts -*-mic-options-*-` (or mic2's `-f TYPE`). */
export interface MicOptions {
  dialect: 'mic' | 'mic2';
  imageType: string | null;
  arch: string | null;
  /** Every token of the header, in order, for options IMG does not interpret. */
  args: string[];
}

export interface Kickstart {
  /** The commands in effect, in file order; a singular command given twice appears once, where it was last given. */
  commands: ParsedCommand[];
  packages: PackageSelection | null;
  /** mic's %prepackages: packages installed before the others. */
  prepackages: string[] | null;
  scripts: Script[];
  /** mic's %attachment: file globs or package names whose files are copied out. */
  attachments: string[] | null;
  addons: Addon[];
  anaconda: RawSection | null;
  certificates: Certificate[];
  micOptions: MicOptions | null;
}

export function emptyKickstart(): Kickstart {
  return {
    commands: [],
    packages: null,
    prepackages: null,
    scripts: [],
    attachments: null,
    addons: [],
    anaconda: null,
    certificates: [],
    micOptions: null,
  };
}

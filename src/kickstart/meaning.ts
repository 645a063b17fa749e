import { commandsInWritingOrder, normaliseBody, sortedGroups, sortedNames } from './format.ts';
import {
  type GroupInclude,
  type Kickstart,
  type MicOptions,
  SCRIPT_KINDS,
  type ScriptKind,
} from './model.ts';
import type { OptionValue } from './options.ts';

/**
 * What a kickstart says, without where it said it: no locations, and every order that does not change the build
 * made canonical (commands in registry order, package and group names sorted, scripts grouped by kind).
 * Two parses mean the same thing exactly when their meanings are deep-equal, and `JSON.stringify` of a meaning is
 * stable, so it can be hashed to recognise identical builds.
 */
export interface KickstartMeaning {
  micOptions: MicOptions | null;
  commands: { name: string; args: string[]; options: Record<string, OptionValue> }[];
  packages: {
    options: Record<string, OptionValue>;
    environment: string | null;
    groups: { name: string; include: GroupInclude }[];
    packages: string[];
    excludedGroups: string[];
    excludedPackages: string[];
  } | null;
  prepackages: string[] | null;
  attachments: string[] | null;
  scripts: {
    kind: ScriptKind;
    interpreter: string;
    nochroot: boolean;
    erroronfail: boolean;
    log: string | null;
    body: string;
  }[];
  addons: { name: string; args: string[]; body: string }[];
  anaconda: { body: string } | null;
  certificates: { filename: string; dir: string | null; type: string | null; body: string }[];
}

export function kickstartMeaning(ks: Kickstart): KickstartMeaning {
  const kindRank = (kind: ScriptKind) => SCRIPT_KINDS.indexOf(kind);
  const selection = ks.packages;
  return {
    micOptions: ks.micOptions && {
      dialect: ks.micOptions.dialect,
      imageType: ks.micOptions.imageType,
      arch: ks.micOptions.arch,
      args: [...ks.micOptions.args],
    },
    commands: commandsInWritingOrder(ks.commands).map((c) => ({
      name: c.name,
      args: [...c.args],
      options: sortedRecord(c.options),
    })),
    packages: selection && {
      options: sortedRecord(selection.options as Record<string, OptionValue | undefined>),
      environment: selection.environment,
      groups: sortedGroups(selection.groups).map(({ name, include }) => ({ name, include })),
      packages: sortedNames(selection.packages),
      excludedGroups: sortedNames(selection.excludedGroups),
      excludedPackages: sortedNames(selection.excludedPackages),
    },
    prepackages: ks.prepackages && [...ks.prepackages],
    attachments: ks.attachments && [...ks.attachments],
    scripts: [...ks.scripts]
      .sort((a, b) => kindRank(a.kind) - kindRank(b.kind))
      .map((s) => ({
        kind: s.kind,
        interpreter: s.interpreter,
        nochroot: s.nochroot,
        erroronfail: s.erroronfail,
        log: s.log,
        body: normaliseBody(s.body),
      })),
    addons: ks.addons.map((a) => ({ name: a.name, args: [...a.args], body: normaliseBody(a.body) })),
    anaconda: ks.anaconda && { body: normaliseBody(ks.anaconda.body) },
    certificates: ks.certificates.map(({ filename, dir, type, body }) => ({
      filename,
      dir,
      type,
      body: normaliseBody(body),
    })),
  };
}

/** Keys sorted so that the JSON text does not depend on the order options were given in. */
function sortedRecord(
  values: Readonly<Record<string, OptionValue | undefined>>,
): Record<string, OptionValue> {
  const out: Record<string, OptionValue> = {};
  for (const key of Object.keys(values).sort()) {
    const value = values[key];
    if (value !== undefined) out[key] = Array.isArray(value) ? [...value] : value;
  }
  return out;
}

import type { CommandSpec } from '../command-spec.ts';
import { auth, rootpw } from './accounts.ts';
import { keyboard, lang, timezone } from './locale.ts';
import { part } from './storage.ts';

/** Every command IMG reads; the order here is the order `format` writes them in. */
export const COMMANDS = {
  lang,
  keyboard,
  timezone,
  rootpw,
  auth,
  part,
} as const;

export type CommandName = keyof typeof COMMANDS;

const byName = new Map<string, CommandSpec>();
for (const spec of Object.values(COMMANDS) as CommandSpec[]) {
  byName.set(spec.name, spec);
  for (const alias of spec.aliases ?? []) byName.set(alias, spec);
}

export function findCommand(word: string): CommandSpec | undefined {
  return byName.get(word);
}

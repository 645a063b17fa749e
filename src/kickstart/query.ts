import type { ParsedCommand } from './command-spec.ts';
import type { COMMANDS, CommandName } from './commands/index.ts';
import type { Kickstart } from './model.ts';

export type KickstartCommand<N extends CommandName> = ParsedCommand<(typeof COMMANDS)[N]['options'], N>;

/** The command in effect for a singular command, typed by its spec. */
export function commandOf<N extends CommandName>(ks: Kickstart, name: N): KickstartCommand<N> | undefined {
  return ks.commands.find((c) => c.name === name) as KickstartCommand<N> | undefined;
}

/** Every instance of a command that may be repeated (part, repo, user…), in file order. */
export function commandsOf<N extends CommandName>(ks: Kickstart, name: N): KickstartCommand<N>[] {
  return ks.commands.filter((c) => c.name === name) as KickstartCommand<N>[];
}

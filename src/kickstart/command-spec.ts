import type { Location } from './diagnostics.ts';
import type { ArgsSpec, OptionsSpec, OptionValues, Origin } from './options.ts';

export interface ParsedCommand<O extends OptionsSpec = OptionsSpec, N extends string = string> {
  /** The canonical name: `partition` is stored as `part`. */
  name: N;
  args: string[];
  options: OptionValues<O>;
  location: Location;
}

export interface Check {
  error(message: string): void;
  warning(message: string): void;
}

export interface CommandSpec<O extends OptionsSpec = OptionsSpec> {
  name: string;
  aliases?: readonly string[];
  /** Positional arguments; none when absent. */
  args?: ArgsSpec;
  options: O;
  /**
   * Commands that may appear several times (part, repo, user…). `key` names what must be unique, e.g. the
   * mount point; a second declaration of the same key warns and replaces the first, as pykickstart's users expect.
   */
  multiple?: {
    key?: (command: ParsedCommand<O>) => string | undefined;
    what?: string;
    /** pykickstart refuses a second one with the same key (snapshot names) instead of warning. */
    duplicateIsError?: boolean;
  };
  /**
   * Singular commands in one slot replace each other: `reboot` after `poweroff` leaves `reboot`.
   * Defaults to the command's own name.
   */
  slot?: string;
  /**
   * pykickstart reads the command's line itself, with shlex but no comments, so `#` is a word like any other
   * (realm, authselect).
   */
  keepsComments?: boolean;
  /** pykickstart refuses the command a second time instead of letting the last one win (realm join). */
  once?: boolean;
  /**
   * Commands that cannot be in one kickstart with this one (pykickstart's conflictingCommands), by canonical
   * name. Declared on one side of each pair; the parser checks both ways, at the later line.
   */
  conflicts?: readonly string[];
  /** Groups of options of which at most one may be given. */
  exclusive?: readonly (readonly (keyof O & string)[])[];
  /** Groups of options that set one thing in pykickstart: the last one given wins, with a warning. */
  lastWins?: readonly (readonly (keyof O & string)[])[];
  validate?(command: ParsedCommand<O>, check: Check): void;
  origin?: Origin;
  /** Dropped from pykickstart but still in real files: accepted with this warning, then ignored. */
  ignored?: string;
}

/** Identity at run time; at compile time it keeps the literal option keys so that parsed options are typed. */
export function defineCommand<const O extends OptionsSpec>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

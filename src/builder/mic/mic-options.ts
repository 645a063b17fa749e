// mic's options as IMG handles them: the configured extra options, and reading back the few that decide
// where mic puts its output.

/**
 * Splits img.conf's `mic_opts` into separate options on `:`, as the original did since 2017: its first separator,
 * `,`, cut `--record-pkgs=name,url` in two, and mic's comma lists (`--record-pkgs`, `--tokenmap`) are common while
 * a `:` inside an option value is rare. An option whose value needs a `:` (a URL, a tokenmap) cannot go through
 * mic_opts; the tokenmap has its own field for that reason.
 */
export function splitMicOpts(value: string): string[] {
  return value
    .split(':')
    .map((option) => option.trim())
    .filter((option) => option !== '');
}

/** The value of the last `--name=value` among args (optparse lets a later option win), for any of the names. */
export function optionValue(args: readonly string[], names: readonly string[]): string | undefined {
  let value: string | undefined;
  for (const arg of args) {
    const equals = arg.indexOf('=');
    if (equals > 0 && names.includes(arg.slice(0, equals))) value = arg.slice(equals + 1);
  }
  return value;
}

export function hasOption(args: readonly string[], name: string): boolean {
  return args.some((arg) => arg === name || arg.startsWith(`${name}=`));
}

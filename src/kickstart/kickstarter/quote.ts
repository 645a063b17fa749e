/**
 * pykickstart splits command lines like a POSIX shell (shlex with comments): whitespace separates arguments,
 * quotes and backslashes are syntax, and `#` starts a comment even in the middle of a word.
 */
const needsQuoting = /[\s'"\\#]/;

/** One argument as pykickstart will read it back: bare when safe, else single quotes, else double quotes. */
export function quoteValue(value: string): string {
  if (value !== '' && !needsQuoting.test(value)) return value;
  if (!value.includes("'")) return `'${value}'`;
  return doubleQuoted(value);
}

/** Inside double quotes shlex only gives `\` a meaning before `"` and `\`. */
export function doubleQuoted(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

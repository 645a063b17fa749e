/** Characters a POSIX shell gives no meaning to inside a word, so a value made only of them needs no quotes. */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One word for a POSIX shell, whatever the value holds: single quotes keep everything literal (newlines, `$`,
 * backquotes, `;`), and a single quote itself is closed, escaped and reopened (`'\''`).
 */
export function shellWord(value: string): string {
  if (PLAIN_WORD.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A command line from words, each quoted as needed; words in `raw` are written as they are (e.g. `"$IMG_TOKEN"`). */
export function shellLine(words: readonly (string | { raw: string })[]): string {
  return words.map((word) => (typeof word === 'string' ? shellWord(word) : word.raw)).join(' ');
}

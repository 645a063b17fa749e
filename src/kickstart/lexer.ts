/**
 * Splits one kickstart line the way pykickstart does, with Python's `shlex.split(line, comments=True)`:
 * POSIX quoting, and `#` outside quotes ends the line even in the middle of a token. With `comments` false,
 * `#` is an ordinary character, as for the few commands pykickstart reads with `shlex.split(line)`.
 */
export type SplitResult = { ok: true; tokens: string[] } | { ok: false; error: string };

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

export function splitLine(line: string, comments = true): SplitResult {
  const tokens: string[] = [];
  let token = '';
  // A token exists once any character or a pair of quotes was read, so `''` yields an empty token.
  let inToken = false;
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i]!;
    if (WHITESPACE.has(c)) {
      if (inToken) {
        tokens.push(token);
        token = '';
        inToken = false;
      }
      i++;
    } else if (c === '#' && comments) {
      break;
    } else if (c === '\\') {
      if (i + 1 >= n) return { ok: false, error: 'a backslash ends the line with nothing to escape' };
      token += line[i + 1];
      inToken = true;
      i += 2;
    } else if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) return { ok: false, error: 'unterminated quote' };
      token += line.slice(i + 1, close);
      inToken = true;
      i = close + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const d = line[i]!;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        // Inside double quotes shlex only lets a backslash escape a quote or another backslash.
        if (d === '\\' && i + 1 < n && (line[i + 1] === '"' || line[i + 1] === '\\')) {
          token += line[i + 1];
          i += 2;
        } else {
          token += d;
          i++;
        }
      }
      if (!closed) return { ok: false, error: 'unterminated quote' };
      inToken = true;
    } else {
      let j = i + 1;
      while (j < n) {
        const d = line[j]!;
        if (WHITESPACE.has(d) || (d === '#' && comments) || d === '\\' || d === "'" || d === '"') break;
        j++;
      }
      token += line.slice(i, j);
      inToken = true;
      i = j;
    }
  }
  if (inToken) tokens.push(token);
  return { ok: true, tokens };
}

/** Only these mean anything to `splitLine`; `$`, `*` and the like are plain characters to it. */
const NEEDS_QUOTES = /[\s'"\\#]/;

/**
 * Quotes a value so that `splitLine` gives it back unchanged: bare when nothing in it is syntax, else in single
 * quotes, else (it holds a single quote) in double quotes, where only `"` and `\` need a backslash.
 */
export function quoteToken(value: string): string {
  if (value !== '' && !NEEDS_QUOTES.test(value)) return value;
  if (!value.includes("'")) return `'${value}'`;
  return doubleQuoted(value);
}

/** Double quotes, as shlex reads them: inside, a backslash means something only before `"` and `\`. */
export function doubleQuoted(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

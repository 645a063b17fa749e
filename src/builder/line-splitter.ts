// Output read as lines, with a bound: a program (a user's %post, a build VM's guest) that writes without ever
// ending a line would otherwise grow the reader's buffer until the process runs out of memory, and re-split it
// on every chunk. A line longer than the bound is passed on in pieces of the bound.

/** Longer than any line IMG itself writes (a child's result message with every file's digest included). */
export const MAX_LINE_CHARS = 1024 * 1024;

export interface LineSplitter {
  push(text: string): void;
  /** What is left without its newline, at the end of the stream. */
  end(): void;
}

export function lineSplitter(onLine: (line: string) => void, maxChars = MAX_LINE_CHARS): LineSplitter {
  let partial = '';
  return {
    push(text) {
      let start = 0;
      for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
        const line = partial + text.slice(start, newline);
        partial = '';
        start = newline + 1;
        for (let at = 0; at < line.length || at === 0; at += maxChars) onLine(line.slice(at, at + maxChars));
      }
      partial += text.slice(start);
      while (partial.length >= maxChars) {
        onLine(partial.slice(0, maxChars));
        partial = partial.slice(maxChars);
      }
    },
    end() {
      if (partial !== '') onLine(partial);
      partial = '';
    },
  };
}

import type { DiagnosticList } from './diagnostics.ts';

export const DEFAULT_MAX_BYTES = 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns one file's bytes into lines, refusing what pykickstart would choke on: oversized input, NUL bytes and
 * text that is not UTF-8. A bad line is reported and read as empty, so the rest of the file is still checked.
 */
export function decodeLines(
  input: string | Uint8Array,
  file: string,
  maxBytes: number,
  diagnostics: DiagnosticList,
): string[] | null {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > maxBytes) {
    diagnostics.error(
      { file, line: 1 },
      `the file is ${size} bytes, over the limit of ${maxBytes} bytes for a kickstart`,
    );
    return null;
  }
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = utf8.decode(input);
    } catch {
      return splitLines(decodeLineByLine(input, file, diagnostics), file, diagnostics);
    }
  }
  return splitLines(text, file, diagnostics);
}

/** Line ends are found as `splitLines` finds them (LF, CRLF or a lone CR), so that the numbers agree. */
function decodeLineByLine(bytes: Uint8Array, file: string, diagnostics: DiagnosticList): string {
  const lines: string[] = [];
  let start = 0;
  let line = 1;
  while (start <= bytes.length) {
    let end = start;
    while (end < bytes.length && bytes[end] !== 0x0a && bytes[end] !== 0x0d) end++;
    try {
      lines.push(utf8.decode(bytes.subarray(start, end)));
    } catch {
      diagnostics.error({ file, line }, 'the text is not valid UTF-8');
      lines.push('');
    }
    start = bytes[end] === 0x0d && bytes[end + 1] === 0x0a ? end + 2 : end + 1;
    line++;
  }
  return lines.join('\n');
}

function splitLines(text: string, file: string, diagnostics: DiagnosticList): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split(/\r\n|\n|\r/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (body.includes('\0')) {
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]!.includes('\0')) {
        diagnostics.error({ file, line: i + 1 }, 'the line holds a NUL byte');
        lines[i] = '';
      }
    }
  }
  return lines;
}

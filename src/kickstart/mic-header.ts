import { quoteToken, splitLine } from './lexer.ts';
import type { MicOptions } from './model.ts';

const HEADER = /^#\s*-\*-(mic2?)-options-\*-(.*?)-\*-\1-options-\*-\s*$/;
const OPENING = /^#\s*-\*-mic2?-options-\*-/;

export type MicHeaderResult =
  | { found: false }
  | { found: true; options: MicOptions }
  | { found: true; error: string };

/**
 * Reads mic's first-line header, which `mic cr auto` uses to pick the image type:
 * mic writes the type as the first word, mic2 as `-f TYPE` (or `--format=TYPE`).
 */
export function parseMicHeader(firstLine: string): MicHeaderResult {
  const match = HEADER.exec(firstLine);
  if (!match) {
    return OPENING.test(firstLine)
      ? { found: true, error: 'the mic options header is not closed by the same -*-mic-options-*- marker' }
      : { found: false };
  }
  const dialect = match[1] as 'mic' | 'mic2';
  const split = splitLine(match[2]!.replaceAll('#', '\\#'));
  if (!split.ok) return { found: true, error: `mic options header: ${split.error}` };
  const args = split.tokens;
  let imageType: string | null = null;
  let arch: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    const inline = token.includes('=') ? token.slice(token.indexOf('=') + 1) : undefined;
    if (token === '-f' || token === '--format' || token === '-A' || token === '--arch') {
      const value = args[i + 1] ?? null;
      if (token === '-f' || token === '--format') imageType = value;
      else arch = value;
      i++;
    } else if (token.startsWith('--format=')) {
      imageType = inline ?? null;
    } else if (token.startsWith('--arch=')) {
      arch = inline ?? null;
    } else if (dialect === 'mic' && imageType === null && !token.startsWith('-')) {
      imageType = token;
    }
  }
  return { found: true, options: { dialect, imageType, arch, args } };
}

/** The header line for `format`: the reader takes every `#` in it literally, so a `#` must stay out of quotes. */
export function writeMicHeader(options: MicOptions): string {
  const marker = `-*-${options.dialect}-options-*-`;
  const args = options.args.map((arg) => arg.split('#').map(quoteToken).join('#'));
  return ['#', marker, ...args, marker].join(' ');
}

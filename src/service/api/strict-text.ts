import type { FastifyInstance } from 'fastify';
import { ServiceError } from '../errors.ts';
import { unicodeProblem } from '../fields.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes as text, refused rather than repaired when they are not UTF-8: a kickstart whose bytes were silently
 * replaced with U+FFFD would build something other than what was sent.
 */
export function decodeUtf8(bytes: Uint8Array, field: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new ServiceError(
      'bad-request',
      `${field}: is not valid UTF-8 (at byte ${firstInvalidByte(bytes)})`,
    );
  }
}

/**
 * JSON bodies are read as UTF-8 strictly, and every string in them must be whole Unicode (JSON's `\uD800`
 * escapes can carry half a surrogate pair, which cannot be stored as sent). A refusal names the field.
 */
export function installStrictJson(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    let text: string;
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      const field = fieldWith(lenientJson(bytes), (value) => value.includes('\uFFFD')) ?? 'the body';
      done(
        new ServiceError('bad-request', `${field}: is not valid UTF-8 (at byte ${firstInvalidByte(bytes)})`),
        undefined,
      );
      return;
    }
    parseJson(request, text, (error, value) => {
      if (error) return done(error, undefined);
      const field = fieldWith(value, (string) => unicodeProblem(string) !== null);
      if (field !== null)
        return done(new ServiceError('bad-request', `${field}: is not valid Unicode`), undefined);
      done(null, value);
    });
  });
}

function lenientJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The path (`extra_repos[1]`) of the first string, key or value, that `matches`; null when none does. */
function fieldWith(value: unknown, matches: (text: string) => boolean, path = ''): string | null {
  if (typeof value === 'string') return matches(value) ? path || 'the body' : null;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = fieldWith(item, matches, `${path}[${index}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const itemPath = path === '' ? key : `${path}.${key}`;
      if (matches(key)) return itemPath;
      const found = fieldWith(item, matches, itemPath);
      if (found !== null) return found;
    }
  }
  return null;
}

/** Where the first invalid sequence starts: the longest prefix a streaming decoder accepts, by bisection. */
function firstInvalidByte(bytes: Uint8Array): number {
  let valid = 0;
  let invalid = bytes.length;
  while (invalid - valid > 1) {
    const middle = Math.floor((valid + invalid) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, middle), { stream: true });
      valid = middle;
    } catch {
      invalid = middle;
    }
  }
  // That prefix may end inside a character the next byte breaks: the sequence starts where the whole characters end.
  let start = valid;
  while (start > 0 && !decodesWhole(bytes.subarray(0, start))) start--;
  return start;
}

function decodesWhole(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

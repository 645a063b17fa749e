import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fetchLimited } from './fetch-limited.ts';
import { fileIncludeReader } from './include.ts';
import { type ParseOptions, type ParseResult, parseKickstart } from './parser.ts';
import { DEFAULT_MAX_BYTES } from './source.ts';

export interface LoadOptions extends Omit<ParseOptions, 'file' | 'readInclude'> {
  /** Fetches an allowed URL for %include/%ksappend; default: HTTP(S) with a timeout and the size limit. */
  fetchUrl?: (url: string) => Promise<Uint8Array>;
}

/**
 * Reads a kickstart file and everything it includes. The parser is synchronous, so allowed URLs are fetched
 * between passes: parse, fetch what was missing, parse again, until nothing is missing.
 */
export async function loadKickstartFile(path: string, options: LoadOptions = {}): Promise<ParseResult> {
  const baseDir = options.baseDir ?? process.cwd();
  let content: Uint8Array;
  try {
    content = await readFile(resolve(baseDir, path));
  } catch (e) {
    return unreadable(path, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(e));
  }
  return parseWithUrls(content, path, { ...options, baseDir });
}

export async function parseWithUrls(
  content: string | Uint8Array,
  file: string,
  options: LoadOptions,
): Promise<ParseResult> {
  const baseDir = options.baseDir ?? process.cwd();
  const roots = options.includeRoots ?? [dirname(resolve(baseDir, file))];
  const urls = new Map<string, Uint8Array>();
  const fetchUrl =
    options.fetchUrl ?? ((url: string) => fetchLimited(url, options.maxBytes ?? DEFAULT_MAX_BYTES));
  for (;;) {
    const missing = new Set<string>();
    const readInclude = fileIncludeReader({
      roots,
      baseDir,
      allowUrls: options.allowUrls ?? false,
      urls,
      onMissingUrl: (url) => missing.add(url),
    });
    const result = parseKickstart(content, { ...options, file, baseDir, readInclude });
    if (missing.size === 0) return result;
    const fetched = await Promise.all(
      [...missing].map(async (url) => [url, await fetchUrl(url).catch(() => undefined)] as const),
    );
    let progressed = false;
    for (const [url, body] of fetched) {
      if (body) {
        urls.set(url, body);
        progressed = true;
      }
    }
    // A URL that cannot be fetched stays missing; the last parse already reports it with its line.
    if (!progressed) return result;
  }
}

function unreadable(file: string, reason: string): ParseResult {
  const error = { file, line: 0, severity: 'error' as const, message: `cannot read the file: ${reason}` };
  return {
    kickstart: parseKickstart('').kickstart,
    diagnostics: [error],
    errors: [error],
    warnings: [],
    ok: false,
  };
}

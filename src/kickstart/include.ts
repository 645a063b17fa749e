import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { Location } from './diagnostics.ts';

export interface IncludeRequest {
  /** What the kickstart wrote after %include or %ksappend. */
  target: string;
  directive: '%include' | '%ksappend';
  from: Location;
}

export type IncludeResult =
  | { ok: true; file: string; content: string | Uint8Array }
  | { ok: false; error: string };

/** Reads what a %include or %ksappend names; the parser stays free of I/O policy. */
export type IncludeReader = (request: IncludeRequest) => IncludeResult;

export interface FileIncludeOptions {
  /** Folders includes may come from; a path resolving outside all of them is refused. */
  roots: readonly string[];
  /** Folder that relative includes of an unnamed (stdin, API) kickstart are resolved against. */
  baseDir: string;
  allowUrls: boolean;
  /** URL contents fetched ahead of the parse (the parser itself is synchronous). */
  urls?: ReadonlyMap<string, string | Uint8Array>;
  /** Called for a URL that is allowed but not fetched yet. */
  onMissingUrl?: (url: string) => void;
}

const URL_LIKE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

export function isUrl(target: string): boolean {
  return URL_LIKE.test(target);
}

export function fileIncludeReader(options: FileIncludeOptions): IncludeReader {
  const roots = options.roots.map((r) => safeRealpath(resolve(r)) ?? resolve(r));
  return ({ target, directive, from }) => {
    if (isUrl(target)) {
      if (!options.allowUrls) {
        return { ok: false, error: `${directive} of a URL (${target}) is not allowed here` };
      }
      const content = options.urls?.get(target);
      if (content === undefined) {
        options.onMissingUrl?.(target);
        return { ok: false, error: `${directive} ${target}: the URL could not be fetched` };
      }
      return { ok: true, file: target, content };
    }
    const displayed = isAbsolute(target) || isUrl(from.file) ? target : join(dirname(from.file), target);
    const onDisk = isAbsolute(target) ? target : resolve(fileDir(from.file, options.baseDir), target);
    const real = safeRealpath(onDisk);
    if (real === undefined) return { ok: false, error: `${directive} ${target}: no such file` };
    if (!roots.some((root) => real === root || real.startsWith(root + sep))) {
      return {
        ok: false,
        error: `${directive} ${target} is outside the folders includes may come from (${roots.join(', ')})`,
      };
    }
    try {
      if (!statSync(real).isFile()) return { ok: false, error: `${directive} ${target}: not a file` };
      return { ok: true, file: displayed, content: readFileSync(real) };
    } catch (e) {
      return {
        ok: false,
        error: `${directive} ${target}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      };
    }
  };
}

/** A kickstart read from a real file resolves includes next to it; one from stdin or the API, in baseDir. */
function fileDir(file: string, baseDir: string): string {
  const candidate = resolve(baseDir, file);
  return safeRealpath(candidate) !== undefined ? dirname(candidate) : baseDir;
}

function safeRealpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

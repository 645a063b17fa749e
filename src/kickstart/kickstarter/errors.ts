import type { KickstarterError } from './types.ts';
import type { YamlDocument, YamlPath } from './yaml.ts';

/** `file:line: key: message`, the shape editors and terminals turn into links. */
export function formatKickstarterError(error: KickstarterError): string {
  const place = error.line === undefined ? error.file : `${error.file}:${error.line}`;
  const image = error.image === undefined ? '' : ` [${error.image}]`;
  const key = error.key === undefined ? '' : ` ${error.key}:`;
  return `${place}:${image}${key} ${error.message}`;
}

/** Several images sharing one broken Default or platform block would otherwise repeat the same error. */
export function uniqueErrors(errors: readonly KickstarterError[]): KickstarterError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const identity = JSON.stringify([error.file, error.line, error.key, error.message]);
    if (seen.has(identity)) return false;
    seen.add(identity);
    return true;
  });
}

/**
 * An error pointing at `path` in a YAML document, or at the nearest enclosing node that has a line: a value that
 * came in through a merge key has none of its own.
 */
export function errorAt(
  document: YamlDocument,
  path: YamlPath,
  message: string,
  key?: string,
): KickstarterError {
  let line: number | undefined;
  for (let depth = path.length; depth >= 0 && line === undefined; depth--) {
    line = document.lineOf(path.slice(0, depth));
  }
  return {
    file: document.file,
    message,
    ...(key === undefined ? {} : { key }),
    ...(line === undefined ? {} : { line }),
  };
}

import type { FastifyInstance } from 'fastify';
import { ServiceError } from '../errors.ts';

/** Parsed JSON and query values only: a body that is a stream or a buffer (a file upload) is not looked into. */
function isPlainData(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return Array.isArray(value) || prototype === Object.prototype || prototype === null;
}

/** The path of the first number that is not finite, walked without recursion (JSON may nest deep), or undefined. */
function infiniteAt(root: unknown): string | undefined {
  const pending: [unknown, string][] = [[root, '']];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, path] = next;
    if (typeof value === 'number' && !Number.isFinite(value)) return path;
    if (!isPlainData(value)) continue;
    for (const [key, inner] of Object.entries(value))
      pending.push([inner, path === '' ? key : `${path}.${key}`]);
  }
  return undefined;
}

/**
 * Refuses numbers beyond a double's range: `?limit=1e400` (coerced by Ajv) and `1e400` in JSON both parse to
 * Infinity, which passes the schemas' integer and range checks and reached the database as a 500.
 */
export function installFiniteNumbers(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    // The query parser makes objects of its own class: a copy is plain.
    const query = typeof request.query === 'object' && request.query !== null ? { ...request.query } : {};
    const field = infiniteAt(query) ?? infiniteAt(request.body);
    if (field !== undefined) {
      throw new ServiceError('bad-request', `${field}: the number is out of range`);
    }
  });
}

import type { FastifyInstance } from 'fastify';
import { ServiceError } from '../errors.ts';

/** The path of the first number that is not finite in a parsed query or body, or undefined. */
function infiniteAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const found = infiniteAt(inner, path === '' ? key : `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Refuses numbers beyond a double's range: `?limit=1e400` (coerced by Ajv) and `1e400` in JSON both parse to
 * Infinity, which passes the schemas' integer and range checks and reached the database as a 500.
 */
export function installFiniteNumbers(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    const field = infiniteAt(request.query, '') ?? infiniteAt(request.body, '');
    if (field !== undefined) {
      throw new ServiceError('bad-request', `${field}: the number is out of range`);
    }
  });
}

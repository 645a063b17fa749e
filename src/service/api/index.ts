/** The REST API under /api/v1, its OpenAPI document, /metrics and the original's redirects. */
export { buildApp } from './app.ts';
export type { AppDeps } from './deps.ts';

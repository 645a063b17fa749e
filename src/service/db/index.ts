/** The database: SQLite (WAL) under the data folder by default, PostgreSQL when `[db] url` names one. */
export {
  type DatabaseHandle,
  type Dialect,
  type LongRead,
  type OpenDatabaseOptions,
  openDatabase,
} from './connect.ts';
export { DatabaseHealth, type HealthChange, logHealthChanges } from './health.ts';
export { isUnavailable } from './outage.ts';
export type * from './schema.ts';

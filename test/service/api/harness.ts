import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { buildApp } from '../../../src/service/api/index.ts';
import { loadConfig } from '../../../src/service/config/index.ts';
import type { Database } from '../../../src/service/db/schema.ts';
import {
  createJobService,
  createLocalArtifactStore,
  createQueueCatalog,
  type JobService,
} from '../../../src/service/jobs/index.ts';
import { createShareService, type ShareService } from '../../../src/service/shares/index.ts';
import { createSiteSettings } from '../../../src/service/site/index.ts';
import {
  createUserService,
  openDirectory,
  type UserService,
  type UserServiceOptions,
} from '../../../src/service/users/index.ts';
import { type DatabaseKind, tempDir, testDatabase } from '../helpers.ts';

export interface Harness {
  app: FastifyInstance;
  /** The app's database, for setting up many jobs at once. */
  db: Kysely<Database>;
  jobs: JobService;
  users: UserService;
  shares: ShareService;
  baseDir: string;
  /** Bearer headers of alice and bob (plain users) and root (an admin). */
  as: Record<'alice' | 'bob' | 'root', { authorization: string }>;
  /**
   * A jobs service over a connection of its own, as a worker on another machine has: its changes reach the app
   * through the database only.
   */
  otherJobService(): Promise<JobService>;
}

export interface HarnessOptions {
  /** img.conf keys as IMG_SECTION_KEY variables, e.g. IMG_WEB_METRICS. */
  env?: Record<string, string>;
  users?: UserServiceOptions;
  /** The jobs (and share links') service's clock, for jobs with known times. */
  now?: () => Date;
  /** Fastify's logger option (the server's default is off in tests). */
  logger?: object;
}

/** An app over a fresh database with three users, driven through `inject`. */
export async function harness(
  t: TestContext,
  kind: DatabaseKind,
  options: HarnessOptions = {},
): Promise<Harness> {
  const dir = tempDir(t);
  const baseDir = join(dir, 'images');
  const config = loadConfig({
    env: { IMG_WORKER_BASE_DIR: baseDir, IMG_DB_DATA_DIR: dir, ...options.env },
    warn: () => {},
  });
  // As a server opens it: on SQLite the statistics are read on the background connection's thread.
  const database = await testDatabase(t, kind, { asServer: true });
  const { db, dialect, longRead } = database;
  const jobs = createJobService({ db, dialect, longRead, ...(options.now ? { now: options.now } : {}) });
  const users = createUserService(db, {
    scryptCost: 2 ** 10,
    directory: openDirectory(config),
    ...options.users,
  });
  t.after(() => users.close());
  const shares = createShareService(db, options.now ? { now: options.now } : {});
  const app = await buildApp({
    config,
    jobs,
    files: createLocalArtifactStore(baseDir),
    users,
    shares,
    queues: createQueueCatalog(db),
    site: createSiteSettings(db, config),
    sessionKey: randomBytes(32),
    templatesDir: join(import.meta.dirname, '../../../templates'),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  t.after(() => app.close());
  const as = {} as Harness['as'];
  for (const [username, admin] of [
    ['alice', false],
    ['bob', false],
    ['root', true],
  ] as const) {
    await users.add({ username, password: `${username}-password`, admin });
    as[username] = { authorization: `Bearer ${(await users.createToken(username)).token}` };
  }
  const otherJobService = async () => createJobService(await database.connectAgain());
  return { app, db, jobs, users, shares, baseDir, as, otherJobService };
}

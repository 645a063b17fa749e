import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/service/api/index.ts';
import { loadConfig } from '../../../src/service/config/index.ts';
import {
  createJobService,
  createLocalArtifactStore,
  createQueueCatalog,
  type JobService,
} from '../../../src/service/jobs/index.ts';
import {
  createUserService,
  openDirectory,
  type UserService,
  type UserServiceOptions,
} from '../../../src/service/users/index.ts';
import { type DatabaseKind, tempDir, testDatabase } from '../helpers.ts';

export interface Harness {
  app: FastifyInstance;
  jobs: JobService;
  users: UserService;
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
  /** The jobs service's clock, for jobs with known times. */
  now?: () => Date;
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
  const database = await testDatabase(t, kind);
  const { db, dialect } = database;
  const jobs = createJobService({ db, dialect, ...(options.now ? { now: options.now } : {}) });
  const users = createUserService(db, {
    scryptCost: 2 ** 10,
    directory: openDirectory(config),
    ...options.users,
  });
  t.after(() => users.close());
  const app = await buildApp({
    config,
    jobs,
    files: createLocalArtifactStore(baseDir),
    users,
    queues: createQueueCatalog(db),
    sessionKey: randomBytes(32),
    templatesDir: join(import.meta.dirname, '../../../templates'),
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
  return { app, jobs, users, baseDir, as, otherJobService };
}

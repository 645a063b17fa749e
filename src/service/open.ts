import type { Config } from './config/index.ts';
import { type DatabaseHandle, openDatabase } from './db/index.ts';
import {
  type ArtifactStore,
  createJobService,
  createLocalArtifactStore,
  createQueueCatalog,
  type JobPublisher,
  type JobService,
  type QueueCatalog,
} from './jobs/index.ts';
import { createShareService, type ShareService } from './shares/index.ts';
import { createSiteSettings, type SiteSettings } from './site/index.ts';
import { createUserService, openDirectory, type UserService } from './users/index.ts';

/** The database and the services over it: what `serve`, `worker` and the user commands share. */
export interface Service {
  config: Config;
  database: DatabaseHandle;
  jobs: JobService;
  files: ArtifactStore;
  queues: QueueCatalog;
  users: UserService;
  shares: ShareService;
  site: SiteSettings;
  close(): Promise<void>;
}

export async function openService(
  config: Config,
  /**
   * For servers and workers: `onWaiting`, a database not reachable yet is waited for, and
   * `onBackgroundFailure`, SQLite's checkpoints and long reads run beside them (see openDatabase).
   */
  options: {
    publish?: JobPublisher;
    onWaiting?: (error: unknown) => void;
    onBackgroundFailure?: (error: unknown) => void;
  } = {},
): Promise<Service> {
  const database = await openDatabase({
    url: config.db.url,
    dataDir: config.db.data_dir,
    ...(options.onWaiting ? { onWaiting: options.onWaiting } : {}),
    ...(options.onBackgroundFailure ? { onBackgroundFailure: options.onBackgroundFailure } : {}),
  });
  const { db, dialect, health } = database;
  const users = createUserService(db, {
    hashing: { threads: config.web.password_threads, queue: config.web.password_queue },
    directory: openDirectory(config),
  });
  return {
    config,
    database,
    jobs: createJobService({
      db,
      dialect,
      health,
      longRead: database.longRead,
      gpgKeyDir: config.worker.gpg_key_dir,
      builder: config.worker.builder,
      ...(options.publish ? { publish: options.publish } : {}),
    }),
    files: createLocalArtifactStore(config.worker.base_dir),
    queues: createQueueCatalog(db),
    users,
    shares: createShareService(db),
    site: createSiteSettings(db, config),
    async close() {
      await users.close();
      await database.close();
    },
  };
}

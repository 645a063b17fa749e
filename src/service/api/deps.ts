import type { Config } from '../config/index.ts';
import type { ArtifactStore, JobService, QueueCatalog } from '../jobs/index.ts';
import type { ShareService } from '../shares/index.ts';
import type { SiteSettings } from '../site/index.ts';
import type { UserService } from '../users/index.ts';

/** What the app needs from the rest of the service; tests pass the same, over a temp database. */
export interface AppDeps {
  config: Config;
  jobs: JobService;
  /** Jobs' files: served, received from workers and deleted only through it. */
  files: ArtifactStore;
  queues: QueueCatalog;
  users: UserService;
  shares: ShareService;
  /** The site's name and public base URL, as an admin set them in the pages or img.conf. */
  site: SiteSettings;
  /** 32 bytes for the session cookies, from `[web] secret_key`. */
  sessionKey: Buffer;
  /** Folder of the ready templates (`[web] templates_dir` or the bundled one). */
  templatesDir: string;
  /** Fastify's logger option: true in the server, false in tests. */
  logger?: boolean | object;
}

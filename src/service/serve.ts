import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { bundledTemplatesDir } from '../kickstart/templates.ts';
import { startServedParticipant } from '../participant/served.ts';
import { buildApp } from './api/index.ts';
import { pagePrefix } from './api/web-pages.ts';
import { type Config, checkSupported } from './config/index.ts';
import { isUnavailable, logHealthChanges } from './db/index.ts';
import { deleteExpiredJobs } from './jobs/index.ts';
import { startNotifications } from './notify/index.ts';
import type { Service } from './open.ts';
import { openQueuedService, type QueueTransport } from './queue/index.ts';
import { DEFAULT_ADMIN } from './users/index.ts';
import { startWorker, workerSettings } from './worker/index.ts';

const RETENTION_EVERY_MS = 60 * 60 * 1000;

export interface RunningServer {
  /** The server's root: the API is under `api/`. */
  url: string;
  /** The web pages' root, under `[web] url_prefix`. */
  pagesUrl: string;
  service: Service;
  stop(): Promise<void>;
}

export interface ServeOptions {
  /** Fastify's logger: JSON lines on stdout by default. */
  logger?: boolean | object;
  /** Runs on the app before it listens: a benchmark adds its baseline route to this very server. */
  beforeListen?: (app: FastifyInstance) => void | Promise<void>;
}

/** Starts the web server, its local build slots and its housekeeping (lost workers, retention). */
export async function serve(
  config: Config,
  warn: (message: string) => void,
  options: ServeOptions = {},
): Promise<RunningServer> {
  checkSupported(config);
  mkdirSync(config.worker.base_dir, { recursive: true });
  // Errors of the transport's background work (reconnects, the outbox) go to the server log once it exists.
  let logError = (error: unknown, context: string) => warn(`${context}: ${(error as Error).message}`);
  const queued = await openQueuedService(config, (error, context) => logError(error, context));
  const { service } = queued;
  const { jobs, users } = service;

  const admin = await users.ensureDefaultAdmin();
  if (admin.defaultPassword) {
    warn(
      `the admin ${DEFAULT_ADMIN.username} still has the default password "${DEFAULT_ADMIN.password}": ` +
        `change it with \`imger user passwd ${DEFAULT_ADMIN.username}\``,
    );
  }
  if (config.auth.ldap_url.startsWith('ldap:') && !config.auth.ldap_starttls) {
    warn(
      '[auth] ldap_url is ldap:// without ldap_starttls: LDAP users’ passwords cross the network unencrypted',
    );
  }
  if (config.db.url !== '' && config.web.secret_key === '') {
    warn('[web] secret_key is empty: each web node makes its own, so a login is valid on one node only');
  }

  const app = await buildApp({
    config,
    jobs,
    files: service.files,
    queues: service.queues,
    users,
    shares: service.shares,
    site: service.site,
    sessionKey: sessionKey(config),
    templatesDir: config.web.templates_dir || bundledTemplatesDir,
    logger: options.logger ?? { level: process.env.IMG_LOG_LEVEL ?? 'info' },
  });

  // While the database is away, what fails for that reason was said once, when the outage began.
  logError = (error, context) =>
    isUnavailable(error) ? app.log.debug({ err: error }, context) : app.log.error({ err: error }, context);
  const offHealth = logHealthChanges(service.database.health, app.log);
  const notifications = startNotifications(
    config,
    jobs.events,
    service.files,
    (error, context) => app.log.warn({ err: error }, context),
    { site: service.site },
  );

  const { host, port } = config.web.listen;
  try {
    await options.beforeListen?.(app);
    await app.listen({ host, port });
  } catch (error) {
    await notifications.stop();
    await app.close();
    await queued.close();
    throw error;
  }

  const timeoutMs = config.worker.heartbeat_timeout * 1000;
  // As often as workers beat: the sweep is also how this server notices a database outage that kept workers
  // from beating, which it must not take for their death (see requeueStale).
  const sweepLost = setInterval(() => {
    jobs.requeueStale(timeoutMs).catch((error) => logError(error, 'requeueing lost jobs failed'));
  }, workerSettings(config).heartbeatMs);
  const sweepExpired = () =>
    deleteExpiredJobs(jobs, service.files, config.retention.max_age_days)
      .then((count) => count > 0 && app.log.info({ count }, 'retention deleted expired jobs'))
      .catch((error) => app.log.error({ err: error }, 'retention failed'));
  const retention = setInterval(sweepExpired, RETENTION_EVERY_MS);
  void sweepExpired();

  const worker =
    config.worker.num_workers > 0
      ? await startLocalWorker(service, queued.transport, config, logError, (line) => app.log.info(line))
      : null;
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}/`;
  const participant =
    config.boss.amqp_host === '' ? null : await startServedParticipant(config, users, url, app.log);
  return {
    url,
    pagesUrl: new URL(pagePrefix(config.web.url_prefix), url).href,
    service,
    async stop() {
      clearInterval(sweepLost);
      clearInterval(retention);
      await participant?.stop();
      await worker?.stop();
      await notifications.stop();
      await app.close();
      await queued.close();
      offHealth();
    },
  };
}

/** What `imger serve` says once it listens: where people go, and where scripts go. */
export function addressesMessage(server: Pick<RunningServer, 'url' | 'pagesUrl'>): string {
  return [
    `IMG is serving at ${server.url}`,
    `  web pages: ${server.pagesUrl}`,
    `  API: ${server.url}api/v1/ (documentation: ${server.url}api/docs)`,
  ].join('\n');
}

/** `num_workers` build slots in this process, on every queue that starts builds (followed as it changes). */
async function startLocalWorker(
  service: Service,
  transport: QueueTransport,
  config: Config,
  onError: (error: unknown, context: string) => void,
  log: (line: string) => void,
) {
  return startWorker({
    jobs: service.jobs,
    transport,
    catalog: service.queues,
    queues: [],
    slots: config.worker.num_workers,
    settings: workerSettings(config),
    onError,
    log,
  });
}

/**
 * The session cookie key: `[web] secret_key` hashed to the 32 bytes the cookie cipher needs, or, when it is empty,
 * a random key kept in data_dir so logins survive a restart.
 */
function sessionKey(config: Config): Buffer {
  if (config.web.secret_key !== '') return createHash('sha256').update(config.web.secret_key).digest();
  const path = join(config.db.data_dir, 'session.key');
  try {
    const key = readFileSync(path);
    if (key.length === 32) return key;
  } catch {
    // First start: made below.
  }
  const key = randomBytes(32);
  mkdirSync(config.db.data_dir, { recursive: true });
  writeFileSync(path, key, { mode: 0o600 });
  return key;
}

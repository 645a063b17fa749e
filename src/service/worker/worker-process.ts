import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import type { Config } from '../config/index.ts';
import { isUnavailable, logHealthChanges } from '../db/index.ts';
import { startNotifications } from '../notify/index.ts';
import { openQueuedService } from '../queue/index.ts';
import { workerSettings } from './settings.ts';
import { startWorker } from './worker.ts';

export interface WorkerProcessOptions {
  /** IMG queue names; empty for every queue that starts builds. */
  queues: readonly string[];
  slots: number;
  /** A test's stand-in for the build child. */
  buildEntry?: string;
}

/** After stop_timeout, the kill of what is left and the child's exit take this long at most. */
const STOP_SLACK_MS = 5000;

/** The first error nothing handled: the process cannot be trusted to go on, only to stop its builds. */
function fatalError(): Promise<{ error: unknown }> {
  return new Promise((resolve) => {
    const onError = (error: unknown): void => resolve({ error });
    process.on('uncaughtException', onError);
    process.on('unhandledRejection', onError);
  });
}

/**
 * `imger worker`: builds until SIGINT or SIGTERM, or an error nothing handles; then stops its builds, each given
 * `[worker] stop_timeout` to clean up (the server requeues their jobs), and exits.
 */
export async function runWorkerProcess(config: Config, options: WorkerProcessOptions): Promise<void> {
  const logger = pino({ level: process.env.IMG_LOG_LEVEL ?? 'info' });
  // While the database is away, what fails for that reason was said once, when the outage began.
  const onError = (error: unknown, context: string): void =>
    isUnavailable(error) ? logger.debug({ err: error }, context) : logger.warn({ err: error }, context);
  const { service, transport, close } = await openQueuedService(config, onError);
  const offHealth = logHealthChanges(service.database.health, logger);
  // The changes this process makes (builds starting and ending) are announced here, not by the server.
  const notifications = startNotifications(config, service.jobs.events, service.files, onError, {
    site: service.site,
  });
  try {
    const settings = {
      ...workerSettings(config),
      ...(options.buildEntry ? { buildEntry: options.buildEntry } : {}),
    };
    const worker = await startWorker({
      jobs: service.jobs,
      transport,
      catalog: service.queues,
      queues: options.queues,
      slots: options.slots,
      settings,
      onError,
      log: (line) => logger.info(line),
    });
    logger.info({ worker: worker.id, queues: worker.queues, slots: options.slots }, 'worker started');
    const fatal = await Promise.race([
      once(process, 'SIGINT').then(() => null),
      once(process, 'SIGTERM').then(() => null),
      fatalError(),
    ]);
    if (fatal === null) {
      logger.info({ worker: worker.id }, 'worker stopping');
      await worker.stop();
    } else {
      // Whatever state this process is in, its builds get their time to clean up (stop_timeout), then it goes.
      logger.fatal({ err: fatal.error, worker: worker.id }, 'worker failed; stopping its builds');
      const bound = settings.stopGraceMs + STOP_SLACK_MS;
      await Promise.race([worker.stop(), sleep(bound).then(() => logger.error('worker stop timed out'))]);
      process.exit(1);
    }
  } finally {
    await notifications.stop();
    await close();
    offHealth();
  }
}

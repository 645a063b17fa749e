import { once } from 'node:events';
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

/** `imger worker`: builds until SIGINT or SIGTERM, then kills its builds (the server requeues them) and exits. */
export async function runWorkerProcess(config: Config, options: WorkerProcessOptions): Promise<void> {
  const logger = pino({ level: process.env.IMG_LOG_LEVEL ?? 'info' });
  // While the database is away, what fails for that reason was said once, when the outage began.
  const onError = (error: unknown, context: string): void =>
    isUnavailable(error) ? logger.debug({ err: error }, context) : logger.warn({ err: error }, context);
  const { service, transport, close } = await openQueuedService(config, onError);
  const offHealth = logHealthChanges(service.database.health, logger);
  // The changes this process makes (builds starting and ending) are announced here, not by the server.
  const notifications = startNotifications(config, service.jobs.events, onError);
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
    });
    logger.info({ worker: worker.id, queues: worker.queues, slots: options.slots }, 'worker started');
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    logger.info({ worker: worker.id }, 'worker stopping');
    await worker.stop();
  } finally {
    await notifications.stop();
    await close();
    offHealth();
  }
}

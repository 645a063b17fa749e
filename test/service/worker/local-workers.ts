// Workers of a test, in its own process: a SQLite database of the test's own, the embedded queue, the shipped
// defaults with the test's changes (testSettings). Each is stopped after the test, before the database closes.
import type { TestContext } from 'node:test';
import {
  createJobService,
  createQueueCatalog,
  type JobService,
  type QueueCatalog,
} from '../../../src/service/jobs/index.ts';
import { createEmbeddedTransport } from '../../../src/service/queue/index.ts';
import { type RunningWorker, startWorker, type WorkerSettings } from '../../../src/service/worker/index.ts';
import { tempDir, testDatabase } from '../helpers.ts';
import { testSettings } from './settings.ts';

export interface LocalWorkers {
  jobs: JobService;
  db: Awaited<ReturnType<typeof testDatabase>>['db'];
  catalog: QueueCatalog;
  /** base_dir of every worker started here, unless a start says otherwise. */
  baseDir: string;
  start(options?: {
    slots?: number;
    /** web and api unless told. */
    queues?: readonly string[];
    settings?: Partial<WorkerSettings>;
    log?: (line: string) => void;
  }): Promise<RunningWorker>;
}

export async function localWorkers(t: TestContext): Promise<LocalWorkers> {
  // Registered first, so the workers stop before the database closes and the folders go.
  const stops: (() => Promise<void>)[] = [];
  t.after(async () => {
    for (const stop of stops) await stop();
  });
  const { db, dialect } = await testDatabase(t, 'sqlite');
  const jobs = createJobService({ db, dialect });
  const catalog = createQueueCatalog(db);
  const baseDir = tempDir(t);
  return {
    jobs,
    db,
    catalog,
    baseDir,
    async start({ slots = 1, queues = ['web', 'api'], settings = {}, log } = {}) {
      const transport = createEmbeddedTransport({ pollMs: 100 });
      const worker = await startWorker({
        jobs,
        transport,
        catalog,
        queues,
        slots,
        settings: testSettings({ baseDir, ...settings }),
        onError: (error, context) => t.diagnostic(`${context}: ${error}`),
        ...(log ? { log } : {}),
      });
      stops.push(async () => {
        await worker.stop();
        await transport.close();
      });
      return worker;
    },
  };
}

import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import { hostname } from 'node:os';
import { buildRecordsDir } from '../../builder/build-records.ts';
import { defaultCacheDir } from '../../builder/cache.ts';
import { removeLeftovers } from '../../builder/leftovers.ts';
import { createLocalArtifactStore, type JobService, type QueueCatalog } from '../jobs/index.ts';
import type { QueueTransport } from '../queue/index.ts';
import { IMG_VERSION } from '../version.ts';
import { buildQueues } from './build-queues.ts';
import { followBuildQueues } from './follow-queues.ts';
import { runJob } from './run-job.ts';
import type { WorkerSettings } from './settings.ts';

export interface WorkerOptions {
  jobs: JobService;
  transport: QueueTransport;
  catalog: QueueCatalog;
  /**
   * The queues asked for by name, each of which must start builds; empty for every queue that starts builds,
   * followed as admins add queues or switch their builds on and off.
   */
  queues: readonly string[];
  slots: number;
  settings: WorkerSettings;
  onError(error: unknown, context: string): void;
  /** What the worker did that an admin wants to know: the leftovers of dead builds it removed at start. */
  log?(line: string): void;
}

export interface RunningWorker {
  /** Stored as the job's worker: names the machine and the process. */
  readonly id: string;
  /** The queues consumed at start. */
  readonly queues: readonly string[];
  /**
   * Takes no more jobs and kills the builds under way. Their jobs stay BUILDING until the server misses their
   * heartbeat and requeues them, as it would for a worker that died.
   */
  stop(): Promise<void>;
}

/** Builds the jobs of some queues, `slots` at a time, each in its own child process. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const shutdown = new AbortController();
  const running = new Set<Promise<void>>();
  const context = {
    jobs: options.jobs,
    workerId: id,
    settings: options.settings,
    // The builds' files start in this worker's base_dir; with upload_url they are sent on from there.
    files: createLocalArtifactStore(options.settings.baseDir),
    shutdown: shutdown.signal,
    onError: options.onError,
  };

  // Before any build of this worker: what builds killed on this host left (their own worker gone with them),
  // build VMs' temp folders and qemu probes' included.
  await removeLeftovers(buildRecordsDir(defaultCacheDir), options.log ?? (() => {}));
  const { vm } = options.settings;
  if (vm) {
    await access(vm.image).catch(() => {
      throw new Error(
        `[worker] vm_image: ${vm.image} cannot be read; make it with \`imger vm-image build -o ${vm.image}\``,
      );
    });
    const choice = await vm.accel();
    options.log?.(`builds run in VMs of ${vm.image} with ${choice.accel.toUpperCase()} (${choice.why})`);
  }
  const queues = await buildQueues(options.catalog, options.queues);
  let serving: readonly string[] = queues;
  const started = new Date().toISOString();
  // The worker's own beat, beside its jobs': it tells the service who serves which queue, and how busy it is.
  let stopping = false;
  let beating: Promise<void> = Promise.resolve();
  let beatWaits = false;
  const beat = (): Promise<void> => {
    // One beat waiting behind the one under way carries every change since: beats never pile up.
    if (stopping || beatWaits) return beating;
    beatWaits = true;
    beating = beating.then(() => {
      beatWaits = false;
      return options.jobs.workers
        .beat({
          id,
          host: hostname(),
          slots: options.slots,
          busy: running.size,
          queues: [...serving],
          version: IMG_VERSION,
          started,
        })
        .catch((error: unknown) => options.onError(error, `worker ${id}: its heartbeat failed`));
    });
    return beating;
  };
  await beat();
  const beatTimer = setInterval(beat, options.settings.heartbeatMs);
  const consumer = await options.transport.consume(
    { jobs: options.jobs, queues, workerId: id, slots: options.slots },
    (delivery) => {
      const work = runJob(context, delivery.job)
        .then((settled) => (settled ? delivery.ack() : undefined))
        .catch((error: unknown) => options.onError(error, `job ${delivery.job.id}`))
        .finally(() => {
          running.delete(work);
          void beat();
        });
      running.add(work);
      void beat();
    },
  );

  const following =
    options.queues.length === 0
      ? followBuildQueues(
          options.catalog,
          queues,
          async (next) => {
            await consumer.setQueues(next);
            serving = next;
            void beat();
          },
          options.onError,
        )
      : null;

  return {
    id,
    queues,
    async stop() {
      clearInterval(beatTimer);
      // The builds are told at once: a consumer slow to stop (a broker gone) must not eat their stop_timeout.
      shutdown.abort();
      await following?.stop();
      await consumer.stop();
      await Promise.all(running);
      stopping = true;
      await beating;
      await options.jobs.workers
        .leave(id)
        .catch((error: unknown) => options.onError(error, `worker ${id}: leaving the list failed`));
    },
  };
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Gauge, Histogram, Registry } from 'prom-client';
import { ServiceError } from '../errors.ts';
import { bearerToken } from './auth.ts';
import type { AppDeps } from './deps.ts';

const seconds = (from: string | null, to: string | null) =>
  from === null || to === null ? null : (Date.parse(to) - Date.parse(from)) / 1000;

/**
 * `/metrics` for Prometheus, as `[web] metrics` says: for anyone, for an admin's bearer token, or not at all.
 * Counts and disk usage are read from the database at scrape time, so every web node reports the same numbers;
 * the timing histograms are fed by the jobs this process saw start and finish.
 */
export function installMetrics(app: FastifyInstance, { config, jobs, users }: AppDeps): void {
  const mode = config.web.metrics;
  if (mode === 'off') return;
  const aliveWithinMs = config.worker.heartbeat_timeout * 1000;
  const registry = new Registry();
  const jobsGauge = new Gauge({
    name: 'img_jobs',
    help: 'jobs in the database, by queue and status',
    labelNames: ['queue', 'status'],
    registers: [registry],
  });
  const diskGauge = new Gauge({
    name: 'img_disk_usage_bytes',
    help: 'bytes of the stored build results, by queue',
    labelNames: ['queue'],
    registers: [registry],
  });
  const workerSlots = new Gauge({
    name: 'img_worker_slots',
    help: 'build slots of each running worker',
    labelNames: ['worker', 'host', 'version'],
    registers: [registry],
  });
  const workerBusy = new Gauge({
    name: 'img_worker_busy',
    help: 'builds each running worker runs now',
    labelNames: ['worker', 'host'],
    registers: [registry],
  });
  const queueWorkers = new Gauge({
    name: 'img_queue_workers',
    help: 'running workers that take the jobs of each queue (0: its jobs wait for good)',
    labelNames: ['queue'],
    registers: [registry],
  });
  const queueBuilds = new Gauge({
    name: 'img_queue_builds_enabled',
    help: '1 when the queue starts builds, 0 when an admin switched them off',
    labelNames: ['queue'],
    registers: [registry],
  });
  const waitHistogram = new Histogram({
    name: 'img_queue_wait_seconds',
    help: 'time from submission to the start of the build',
    labelNames: ['queue'],
    buckets: [1, 5, 15, 60, 300, 900, 3600, 4 * 3600],
    registers: [registry],
  });
  const buildHistogram = new Histogram({
    name: 'img_build_seconds',
    help: 'time from the start of the build to its end, by final status',
    labelNames: ['queue', 'status'],
    buckets: [10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
    registers: [registry],
  });

  const stopStarted = jobs.events.on('job:started', ({ job }) => {
    const wait = seconds(job.created, job.started);
    if (wait !== null) waitHistogram.observe({ queue: job.queue }, wait);
  });
  const stopFinished = jobs.events.on('job:finished', ({ job }) => {
    const build = seconds(job.started, job.finished);
    if (build !== null) buildHistogram.observe({ queue: job.queue, status: job.status }, build);
  });
  app.addHook('onClose', async () => {
    stopStarted();
    stopFinished();
  });

  const onlyAdmins = async (request: FastifyRequest) => {
    const bearer = bearerToken(request);
    const actor = bearer === undefined ? null : await users.actorForToken(bearer);
    if (!actor)
      throw new ServiceError(
        'unauthorized',
        "/metrics needs an admin's API token: Authorization: Bearer TOKEN",
      );
    if (!actor.admin) throw new ServiceError('forbidden', '/metrics needs the token of an admin');
  };
  const onRequest = mode === 'token' ? [onlyAdmins] : [];
  app.get('/metrics', { schema: { hide: true }, onRequest }, async (_request, reply) => {
    const { counts, bytes } = await jobs.stats();
    jobsGauge.reset();
    for (const { queue, status, count } of counts) jobsGauge.set({ queue, status }, count);
    diskGauge.reset();
    for (const { queue, bytes: size } of bytes) diskGauge.set({ queue }, size);
    const workers = await jobs.workers.list(aliveWithinMs);
    workerSlots.reset();
    workerBusy.reset();
    for (const worker of workers) {
      workerSlots.set({ worker: worker.id, host: worker.host, version: worker.version }, worker.slots);
      workerBusy.set({ worker: worker.id, host: worker.host }, worker.busy);
    }
    queueWorkers.reset();
    queueBuilds.reset();
    for (const queue of await jobs.workers.queueStates(aliveWithinMs)) {
      queueWorkers.set({ queue: queue.name }, queue.workers.length);
      queueBuilds.set({ queue: queue.name }, queue.starts_builds ? 1 : 0);
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}

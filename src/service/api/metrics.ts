import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Gauge, Histogram, Registry } from 'prom-client';
import { STATS_DEFAULT_DAYS } from '../../contract/stats.ts';
import { ServiceError } from '../errors.ts';
import type { BuildStats, Spread } from '../jobs/index.ts';
import { bearerToken } from './auth.ts';
import type { AppDeps } from './deps.ts';

const seconds = (from: string | null, to: string | null) =>
  from === null || to === null ? null : (Date.parse(to) - Date.parse(from)) / 1000;

const WINDOW_STATS_MAX_AGE_MS = 60_000;

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

  const windowStats = installWindowStats(registry);
  // A window of many jobs takes the database a while (bench/stats.bench.ts): computed at most once a minute
  // however often, and by however many, /metrics is scraped.
  let recent: { at: number; stats: Promise<BuildStats> } | undefined;
  const recentStats = () => {
    if (recent === undefined || Date.now() - recent.at > WINDOW_STATS_MAX_AGE_MS) {
      const stats = jobs.buildStats({ days: STATS_DEFAULT_DAYS });
      recent = { at: Date.now(), stats };
      stats.catch(() => {
        if (recent?.stats === stats) recent = undefined;
      });
    }
    return recent.stats;
  };

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
    const { workers, queues } = await jobs.workers.overview(aliveWithinMs);
    workerSlots.reset();
    workerBusy.reset();
    for (const worker of workers) {
      workerSlots.set({ worker: worker.id, host: worker.host, version: worker.version }, worker.slots);
      workerBusy.set({ worker: worker.id, host: worker.host }, worker.busy);
    }
    queueWorkers.reset();
    queueBuilds.reset();
    for (const queue of queues) {
      queueWorkers.set({ queue: queue.name }, queue.workers.length);
      queueBuilds.set({ queue: queue.name }, queue.starts_builds ? 1 : 0);
    }
    windowStats(await recentStats());
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}

/**
 * The stats page's numbers for every job over its default window, as gauges set at scrape time: the database
 * computes them, so each web node reports the same. Per-day counts are left to Prometheus's own time axis.
 */
function installWindowStats(registry: Registry): (stats: BuildStats) => void {
  const over = `over the jobs submitted in the last ${STATS_DEFAULT_DAYS} days`;
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help: `${help}, ${over}`, labelNames, registers: [registry] });
  const builds = gauge('img_stats_builds', 'builds that ended, by outcome (done, failed, cancelled)', [
    'outcome',
  ]);
  const successRatio = gauge(
    'img_stats_success_ratio',
    'done / (done + failed); absent before any build ended',
  );
  const buildSeconds = gauge(
    'img_stats_build_seconds',
    'median (0.5) and 90th percentile (0.9) of successful build times, by image type',
    ['image_type', 'quantile'],
  );
  const waitSeconds = gauge(
    'img_stats_queue_wait_seconds',
    'median (0.5) and 90th percentile (0.9) of the time from submission to start',
    ['quantile'],
  );
  const failures = gauge('img_stats_failures', 'failed jobs by failure class', ['class']);
  const queueJobs = gauge('img_stats_queue_jobs', 'jobs submitted to the busiest queues', ['queue']);
  const quantiles = (spread: Spread, set: (quantile: string, value: number) => void) => {
    if (spread.median !== null) set('0.5', spread.median);
    if (spread.p90 !== null) set('0.9', spread.p90);
  };
  return (stats) => {
    for (const metric of [builds, successRatio, buildSeconds, waitSeconds, failures, queueJobs])
      metric.reset();
    for (const [outcome, count] of Object.entries(stats.totals)) builds.set({ outcome }, count);
    if (stats.success_rate !== null) successRatio.set(stats.success_rate);
    for (const spread of stats.build_seconds)
      quantiles(spread, (quantile, value) => buildSeconds.set({ image_type: spread.type, quantile }, value));
    quantiles(stats.queue_wait_seconds, (quantile, value) => waitSeconds.set({ quantile }, value));
    for (const failure of stats.failure_classes) failures.set({ class: failure.class }, failure.jobs);
    for (const queue of stats.busiest_queues) queueJobs.set({ queue: queue.queue }, queue.jobs);
  };
}

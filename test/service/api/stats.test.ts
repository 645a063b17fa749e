import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type FailureClass, failure } from '../../../src/contract/failure.ts';
import type { JobService } from '../../../src/service/jobs/index.ts';
import { databaseKinds } from '../helpers.ts';
import { fakeClock, submission } from '../jobs/fixtures.ts';
import { harness } from './harness.ts';

const SECOND = 1000;
const DAY = 24 * 3600 * SECOND;

interface Run {
  owner: 'alice' | 'bob';
  type?: string;
  queue?: string;
  /** Seconds waiting; without `build`, the job is cancelled while it waits. */
  wait: number;
  build?: number;
  failure?: FailureClass;
}

/** One job from submission to its end, with the clock moved by its wait and build time. */
async function run(jobs: JobService, clock: ReturnType<typeof fakeClock>, job: Run): Promise<void> {
  const owner = { username: job.owner, admin: false };
  const { id } = await jobs.submit(
    submission({ type: job.type ?? 'fs', queue: job.queue ?? 'web', name: 'stats' }),
    owner,
  );
  clock.advance(job.wait * SECOND);
  if (job.build === undefined) {
    await jobs.cancel(id, owner);
    return;
  }
  const claimed = await jobs.claim([job.queue ?? 'web'], 'w1');
  assert.equal(claimed?.id, id);
  clock.advance(job.build * SECOND);
  if (job.failure) await jobs.fail(id, 'w1', failure(job.failure, 'it broke'));
  else await jobs.finish(id, 'w1', { artifacts: [] });
}

/**
 * Yesterday: alice builds fs in 100, 200, 300 and 400 s, one raw in 50 s, a failed fs (package-not-found), and
 * cancels one that waited. Today: bob builds fs in 1000 s on the api queue and fails a script. A job of the day
 * before yesterday is outside a two-day window.
 */
async function seeded(
  t: Parameters<typeof harness>[0],
  kind: (typeof databaseKinds)[number],
  env: Record<string, string> = {},
) {
  const clock = fakeClock();
  const context = await harness(t, kind, { now: clock.now, env });
  const { jobs } = context;
  await run(jobs, clock, { owner: 'alice', wait: 5, build: 7 });
  clock.advance(DAY);
  for (const [wait, build] of [
    [10, 100],
    [20, 300],
    [30, 200],
    [40, 400],
  ] as const)
    await run(jobs, clock, { owner: 'alice', wait, build });
  await run(jobs, clock, { owner: 'alice', type: 'raw', wait: 50, build: 50 });
  await run(jobs, clock, { owner: 'alice', wait: 60, build: 20, failure: 'package-not-found' });
  await run(jobs, clock, { owner: 'alice', wait: 5 });
  clock.advance(DAY);
  await run(jobs, clock, { owner: 'bob', queue: 'api', wait: 500, build: 1000 });
  await run(jobs, clock, { owner: 'bob', queue: 'api', wait: 70, build: 3, failure: 'script-failed' });
  return context;
}

for (const kind of databaseKinds) {
  describe(`stats API on ${kind}`, () => {
    test('a user sees the numbers of their own jobs only, in the window asked for', async (t) => {
      const { app, as } = await seeded(t, kind);
      const response = await app.inject({ url: '/api/v1/stats?days=2', headers: as.alice });
      assert.equal(response.statusCode, 200, response.body);
      const stats = response.json();
      assert.equal(stats.scope, 'own');
      assert.equal(stats.days, 2);
      assert.equal(stats.since, '2026-01-02T00:00:00.000Z');
      assert.deepEqual(stats.per_day, [
        { day: '2026-01-02', done: 5, failed: 1, cancelled: 1 },
        { day: '2026-01-03', done: 0, failed: 0, cancelled: 0 },
      ]);
      assert.deepEqual(stats.totals, { done: 5, failed: 1, cancelled: 1 });
      assert.equal(stats.success_rate, 5 / 6);
      assert.deepEqual(stats.build_seconds, [
        { type: 'fs', count: 4, median: 200, p90: 400 },
        { type: 'raw', count: 1, median: 50, p90: 50 },
      ]);
      // Waits of the six that started: 10 20 30 40 50 60.
      assert.deepEqual(stats.queue_wait_seconds, { count: 6, median: 30, p90: 60 });
      assert.deepEqual(stats.failure_classes, [{ class: 'package-not-found', jobs: 1 }]);
      assert.deepEqual(stats.busiest_queues, [{ queue: 'web', jobs: 7, waiting: 0 }]);

      const bob = (await app.inject({ url: '/api/v1/stats?days=2', headers: as.bob })).json();
      assert.deepEqual(bob.totals, { done: 1, failed: 1, cancelled: 0 });
      assert.deepEqual(bob.build_seconds, [{ type: 'fs', count: 1, median: 1000, p90: 1000 }]);
      assert.deepEqual(bob.failure_classes, [{ class: 'script-failed', jobs: 1 }]);
      assert.deepEqual(bob.busiest_queues, [{ queue: 'api', jobs: 2, waiting: 0 }]);
    });

    test("an admin sees everyone's; a wider window takes in older jobs", async (t) => {
      const { app, as } = await seeded(t, kind);
      const stats = (await app.inject({ url: '/api/v1/stats?days=2', headers: as.root })).json();
      assert.equal(stats.scope, 'all');
      assert.deepEqual(stats.per_day, [
        { day: '2026-01-02', done: 5, failed: 1, cancelled: 1 },
        { day: '2026-01-03', done: 1, failed: 1, cancelled: 0 },
      ]);
      assert.equal(stats.success_rate, 6 / 8);
      assert.deepEqual(stats.build_seconds, [
        { type: 'fs', count: 5, median: 300, p90: 1000 },
        { type: 'raw', count: 1, median: 50, p90: 50 },
      ]);
      assert.deepEqual(stats.queue_wait_seconds, { count: 8, median: 40, p90: 500 });
      assert.deepEqual(stats.failure_classes, [
        { class: 'package-not-found', jobs: 1 },
        { class: 'script-failed', jobs: 1 },
      ]);
      assert.deepEqual(stats.busiest_queues, [
        { queue: 'web', jobs: 7, waiting: 0 },
        { queue: 'api', jobs: 2, waiting: 0 },
      ]);

      const wider = (await app.inject({ url: '/api/v1/stats?days=3', headers: as.root })).json();
      assert.equal(wider.per_day.length, 3);
      assert.deepEqual(wider.per_day[0], { day: '2026-01-01', done: 1, failed: 0, cancelled: 0 });
      assert.equal(wider.build_seconds[0].count, 6);
      // Thirty days by default.
      const fallback = (await app.inject({ url: '/api/v1/stats', headers: as.root })).json();
      assert.equal(fallback.days, 30);
      assert.equal(fallback.per_day.length, 30);
    });

    test('/metrics carries the same numbers for every job, beside its older names', async (t) => {
      const { app } = await seeded(t, kind, { IMG_WEB_METRICS: 'open' });
      const metrics = (await app.inject({ url: '/metrics' })).body;
      for (const line of [
        'img_stats_builds{outcome="done"} 7',
        'img_stats_builds{outcome="failed"} 2',
        'img_stats_builds{outcome="cancelled"} 1',
        'img_stats_success_ratio 0.7777777777777778',
        'img_stats_build_seconds{image_type="fs",quantile="0.5"} 200',
        'img_stats_build_seconds{image_type="fs",quantile="0.9"} 1000',
        'img_stats_build_seconds{image_type="raw",quantile="0.9"} 50',
        'img_stats_queue_wait_seconds{quantile="0.5"} 40',
        'img_stats_queue_wait_seconds{quantile="0.9"} 500',
        'img_stats_failures{class="script-failed"} 1',
        'img_stats_queue_jobs{queue="web"} 8',
        'img_jobs{queue="api",status="ERROR"} 1',
      ])
        assert.ok(metrics.split('\n').includes(line), `${line} in\n${metrics}`);
    });

    test('a window with no jobs has zeros and no rates, not errors', async (t) => {
      const { app, as } = await harness(t, kind);
      const stats = (await app.inject({ url: '/api/v1/stats?days=7', headers: as.alice })).json();
      assert.equal(stats.per_day.length, 7);
      assert.deepEqual(stats.totals, { done: 0, failed: 0, cancelled: 0 });
      assert.equal(stats.success_rate, null);
      assert.deepEqual(stats.queue_wait_seconds, { count: 0, median: null, p90: null });
      assert.deepEqual(stats.build_seconds, []);
    });

    test('a bad window is refused with 400 naming `days`, and a login is needed', async (t) => {
      const { app, as } = await harness(t, kind);
      for (const days of ['0', '-3', '367', '1.5', 'abc', '', '7;drop table jobs', '1e400', '30&days=2']) {
        const response = await app.inject({
          url: `/api/v1/stats?days=${encodeURIComponent(days)}`,
          headers: as.alice,
        });
        assert.equal(response.statusCode, 400, `days=${days}: ${response.body}`);
        assert.match(response.json().message, /days/, days);
      }
      const twice = await app.inject({ url: '/api/v1/stats?days=3&days=4', headers: as.alice });
      assert.equal(twice.statusCode, 400, twice.body);
      const other = await app.inject({ url: '/api/v1/stats?owner=bob', headers: as.alice });
      assert.equal(other.statusCode, 400, 'no parameter widens a user to other owners');
      assert.equal((await app.inject({ url: '/api/v1/stats' })).statusCode, 401);
      assert.equal((await app.inject({ url: '/api/v1/jobs?limit=1', headers: as.root })).statusCode, 200);
    });
  });
}

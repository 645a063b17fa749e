/**
 * `GET /metrics` with 1,000,000 jobs in the database (SQLite), against the same server's no-op GET in the same run,
 * and the longest the server's event loop was held up during each: a scrape must neither cost much nor stop the
 * server answering others. Goals: under 5 ms a scrape, and no block longer than the no-op's own.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { compareSides, type Measured, measure } from './lib/compare.ts';
import type { LoadSpec } from './lib/load.ts';
import { seedJobs } from './lib/seed.ts';
import { NOOP_PATH, withBenchServer } from './lib/server.ts';

const JOBS = 1_000_000;
const REQUESTS = Number(process.env.IMG_BENCH_METRICS_REQUESTS ?? 400);

console.log(
  `GET /metrics over ${JOBS.toLocaleString('en')} jobs: ${REQUESTS} requests per round over 1 connection`,
);
await withBenchServer(async ({ server, origin, authorization }) => {
  const seeding = performance.now();
  await seedJobs(server.service.database.db, { jobs: JOBS, waiting: 2000, owners: 100 });
  console.log(`seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
  const get = (path: string, requests: number): LoadSpec => ({
    url: `${origin}${path}`,
    method: 'GET',
    headers: { authorization },
    connections: 1,
    requests,
    expectStatus: 200,
  });
  /** A round, and the longest the event loop was held up meanwhile. */
  const blocks = new Map<string, number>();
  const watched = (name: string, spec: LoadSpec) => async (): Promise<Measured> => {
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    try {
      return await measure(spec);
    } finally {
      delay.disable();
      blocks.set(name, Math.max(blocks.get(name) ?? 0, delay.max / 1e6));
    }
  };
  await measure(get('/metrics', 5));
  const { tested } = await compareSides(
    `GET /metrics, ${JOBS.toLocaleString('en')} jobs`,
    { name: 'metrics', round: watched('metrics', get('/metrics', REQUESTS)) },
    { name: 'no-op GET', round: watched('no-op GET', get(NOOP_PATH, Math.max(REQUESTS, 2000))) },
  );
  console.log(
    `a scrape takes ${((tested.load.seconds * 1000) / tested.load.requests).toFixed(2)} ms; the event loop was held ` +
      `up at most ${(blocks.get('metrics') ?? 0).toFixed(1)} ms during the scrapes, ` +
      `${(blocks.get('no-op GET') ?? 0).toFixed(1)} ms during the no-op requests`,
  );
});

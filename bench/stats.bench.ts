/**
 * `GET /api/v1/stats` with 1,000,000 jobs in the database (SQLite, one job a minute: 30 days hold ~43,000 jobs,
 * a year ~527,000), against `GET /api/v1/jobs` (a page of 50) on the same data in the same run: the admin's 30
 * days and year, and one user's 30 days (1 owner in 100, through the owner index). Also /metrics, which computes
 * the default window at most once a minute. The jobs are seeded straight into the database (bench/lib/seed.ts).
 */
import { compareSides, measure } from './lib/compare.ts';
import type { LoadSpec } from './lib/load.ts';
import { seedJobs } from './lib/seed.ts';
import { withBenchServer } from './lib/server.ts';

const JOBS = 1_000_000;
const CONNECTIONS = 2;
const USER = { username: 'user42', password: 'bench-password-42' };

await withBenchServer(
  async ({ server, origin, authorization }) => {
    const { db } = server.service.database;
    const seeding = performance.now();
    await seedJobs(db, { jobs: JOBS, waiting: 2000, owners: 100 });
    console.log(
      `seeded ${JOBS.toLocaleString('en')} jobs in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
    );
    const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
      const answer = await fetch(`${origin}/api/v1/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      if (answer.status !== 201) throw new Error(`POST ${path}: ${answer.status} ${await answer.text()}`);
      return answer.json() as Promise<{ token?: string }>;
    };
    await post('users', { ...USER, admin: false }, { authorization });
    const userAuthorization = `Bearer ${(await post('tokens', USER)).token}`;

    const get = (url: string, auth: string, requests: number): LoadSpec => ({
      url,
      method: 'GET',
      headers: { authorization: auth },
      connections: CONNECTIONS,
      requests,
      expectStatus: 200,
    });
    const baseline = get(`${origin}/api/v1/jobs?limit=50`, authorization, 400);
    const cases = [
      ['admin, 30 days', get(`${origin}/api/v1/stats?days=30`, authorization, 20)],
      ['admin, 366 days', get(`${origin}/api/v1/stats?days=366`, authorization, 3)],
      ['one user, 30 days', get(`${origin}/api/v1/stats?days=30`, userAuthorization, 100)],
      ['/metrics (30 days, computed once a minute)', get(`${origin}/metrics`, authorization, 20)],
    ] as const;
    for (const spec of [baseline, ...cases.map(([, spec]) => spec)]) await measure({ ...spec, requests: 3 });
    for (const [label, spec] of cases) {
      await compareSides(
        `GET /stats, ${label}`,
        { name: 'stats', round: () => measure(spec) },
        { name: 'GET /jobs page', round: () => measure(baseline) },
      );
    }
  },
  { IMG_WEB_METRICS: 'token' },
);

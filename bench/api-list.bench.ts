/**
 * `GET /api/v1/jobs` with 1,000,000 jobs in the database (SQLite): the first page, a page 900,000 jobs deep
 * through the cursor, and two filters (an owner, through its index; a tag, through a text match), each against
 * the same server's no-op GET in the same run. The jobs are seeded straight into the database (bench/lib/seed.ts).
 */
import { sql } from 'kysely';
import { compareWithNoop } from './lib/compare.ts';
import { seedJobs } from './lib/seed.ts';
import { withBenchServer } from './lib/server.ts';

const JOBS = 1_000_000;
const CONNECTIONS = 4;
const REQUESTS = 400;

console.log(
  `GET /jobs over ${JOBS.toLocaleString('en')} jobs: ${REQUESTS} requests per round over ${CONNECTIONS} connections`,
);
await withBenchServer(async ({ server, origin, authorization }) => {
  const { db } = server.service.database;
  const seeding = performance.now();
  await seedJobs(db, { jobs: JOBS, waiting: 2000, owners: 100 });
  console.log(`seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
  const deep = await sql<{ id: string }>`select id from jobs order by id limit 1 offset ${JOBS / 10}`.execute(
    db,
  );
  const cursor = deep.rows[0]?.id ?? '';
  const pages = [
    ['first page', ''],
    ['deep page (cursor 900,000 jobs back)', `&before=${cursor}`],
    ['owner filter', '&owner=user42'],
    ['tag filter', '&tag=nightly'],
  ] as const;
  for (const [label, query] of pages) {
    await compareWithNoop(`GET /api/v1/jobs, ${label}`, origin, {
      url: `${origin}/api/v1/jobs?limit=50${query}`,
      method: 'GET',
      headers: { authorization },
      connections: CONNECTIONS,
      requests: REQUESTS,
      expectStatus: 200,
    });
  }
});

/**
 * A submission's cost against the backlog of its queue: `POST /api/v1/jobs` into a queue where 100,000 jobs wait,
 * against the same submissions into an empty queue of the same server, in alternating rounds (each baseline round
 * gets a new queue, so it stays empty but for its own round). The goal: flat, a ratio of server time near 1.
 */
import { compareSides, measure } from './lib/compare.ts';
import type { LoadSpec } from './lib/load.ts';
import { seedJobs } from './lib/seed.ts';
import { withBenchServer } from './lib/server.ts';

const BACKLOG = 100_000;
const CONNECTIONS = 8;
const REQUESTS = 1000;
const kickstart = 'lang en_US.UTF-8\nkeyboard us\ntimezone UTC\nrootpw secret\n%packages\nbash\n%end\n';

console.log(
  `API submissions behind a backlog: ${REQUESTS} requests per round over ${CONNECTIONS} connections`,
);
await withBenchServer(async ({ server, origin, authorization }) => {
  const seeding = performance.now();
  await seedJobs(server.service.database.db, {
    jobs: BACKLOG,
    waiting: BACKLOG,
    owners: 100,
    queues: ['api'],
  });
  console.log(
    `seeded ${BACKLOG.toLocaleString('en')} waiting jobs in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
  );
  const submitTo = (queue: string): LoadSpec => ({
    url: `${origin}/api/v1/jobs`,
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ kickstart, type: 'fs', arch: 'x86_64', name: 'bench', queue }),
    connections: CONNECTIONS,
    requests: REQUESTS,
    expectStatus: 201,
  });
  let emptyQueues = 0;
  const intoEmptyQueue = async () => {
    const queue = `empty${emptyQueues++}`;
    await server.service.queues.put({ name: queue, description: '', startsBuilds: true });
    return measure(submitTo(queue));
  };
  // Warm-up, for the JIT and the connection pools.
  await measure({ ...submitTo('api'), requests: 100 });
  await intoEmptyQueue();
  await compareSides(
    `POST /api/v1/jobs, ${BACKLOG.toLocaleString('en')} jobs waiting in the queue`,
    { name: 'backlog', round: () => measure(submitTo('api')) },
    { name: 'empty queue', round: intoEmptyQueue },
  );
});

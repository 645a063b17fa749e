/**
 * Submissions per second through the real HTTP API (`POST /api/v1/jobs`, JSON, bearer token) into the embedded
 * queue on SQLite, against the same server's no-op route given the same body, in the same run. No local build
 * slots run, so every job stays waiting: the queue grows by each round's submissions, as it does under a burst.
 */
import { compareWithNoop } from './lib/compare.ts';
import { withBenchServer } from './lib/server.ts';

const CONNECTIONS = 8;
const REQUESTS = 2000;
const body = JSON.stringify({
  kickstart: 'lang en_US.UTF-8\nkeyboard us\ntimezone UTC\nrootpw secret\n%packages\nbash\n%end\n',
  type: 'fs',
  arch: 'x86_64',
  name: 'bench',
});

console.log(`API submissions: ${REQUESTS} requests per round over ${CONNECTIONS} keep-alive connections`);
await withBenchServer(async ({ origin, authorization }) => {
  await compareWithNoop('POST /api/v1/jobs', origin, {
    url: `${origin}/api/v1/jobs`,
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
    requests: REQUESTS,
    expectStatus: 201,
  });
});

/**
 * A submission's cost against the audience of the change stream: `POST /api/v1/jobs` while 300 clients follow
 * `GET /api/v1/events` (each submission is an event every one of them receives), against the same submissions
 * with nobody listening, in alternating rounds on the same server. The goal: flat, a ratio of server time near 1.
 */
import { compareSides, measure } from './lib/compare.ts';
import { openListeners } from './lib/listeners.ts';
import type { LoadSpec } from './lib/load.ts';
import { withBenchServer } from './lib/server.ts';

const AUDIENCE = 300;
const CONNECTIONS = 8;
const REQUESTS = 1000;
const kickstart = 'lang en_US.UTF-8\nkeyboard us\ntimezone UTC\nrootpw secret\n%packages\nbash\n%end\n';

console.log(
  `API submissions before an audience: ${REQUESTS} requests per round over ${CONNECTIONS} connections, ` +
    `${AUDIENCE} clients on the change stream`,
);
await withBenchServer(async ({ origin, authorization }) => {
  const submit: LoadSpec = {
    url: `${origin}/api/v1/jobs`,
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ kickstart, type: 'fs', arch: 'x86_64', name: 'bench' }),
    connections: CONNECTIONS,
    requests: REQUESTS,
    expectStatus: 201,
  };
  const watched = async () => {
    const listeners = await openListeners({
      url: `${origin}/api/v1/events`,
      headers: { authorization },
      count: AUDIENCE,
    });
    try {
      const measured = await measure(submit);
      // Each event reached each client: otherwise a slow stream would look like a cheap one.
      const deadline = Date.now() + 10_000;
      while ((await listeners.fewestEvents()) < REQUESTS) {
        if (Date.now() > deadline) throw new Error('some clients did not get every event');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return measured;
    } finally {
      await listeners.close();
    }
  };
  await measure({ ...submit, requests: 100 });
  await compareSides(
    `POST /api/v1/jobs, ${AUDIENCE} clients on /api/v1/events`,
    { name: 'watched', round: watched },
    { name: 'unwatched', round: () => measure(submit) },
  );
});

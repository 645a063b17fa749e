/**
 * How much a flood of wrong logins slows an unrelated download: a 256 MiB artifact through
 * `GET /api/v1/jobs/{id}/files/{name}` alone, and while 24 wrong logins at a time hit `POST /api/v1/session`
 * without pause, in alternating rounds of the same run; the ratio of their medians. The server's login limits are
 * raised so that every login reaches the password hashing, which is what is measured. Before the hashing had
 * threads of its own (scrypt on libuv's pool, which file reads share), 24 parallel logins held a log download for
 * half a minute.
 */
import { jobWithSparseArtifact } from './lib/artifact.ts';
import { median } from './lib/compare.ts';
import { runLoad } from './lib/load.ts';
import { withBenchServer } from './lib/server.ts';

const SIZE = 256 * 1024 ** 2;
const ROUNDS = 5;
const PARALLEL_LOGINS = 24;
const FILE_NAME = 'bench.raw';

console.log(
  `a ${SIZE / 1024 ** 2} MiB download alone and under ${PARALLEL_LOGINS} parallel wrong logins, ${ROUNDS} rounds, medians`,
);
await withBenchServer(
  async (bench) => {
    const { origin, authorization } = bench;
    const { jobId } = await jobWithSparseArtifact(bench, FILE_NAME, SIZE);

    const download = async () => {
      const result = await runLoad({
        url: `${origin}/api/v1/jobs/${jobId}/files/${FILE_NAME}`,
        method: 'GET',
        headers: { authorization },
        connections: 1,
        requests: 1,
        expectStatus: 200,
      });
      if (result.bytes !== SIZE) throw new Error(`downloaded ${result.bytes} bytes of ${SIZE}`);
      return result.seconds;
    };
    const answers = new Map<number, number>();
    const flood = async (until: { done: boolean }) => {
      while (!until.done) {
        const statuses = await Promise.all(
          Array.from({ length: PARALLEL_LOGINS }, () =>
            fetch(`${origin}/api/v1/session`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ username: 'imager', password: 'not the password' }),
            }).then(async (response) => {
              await response.arrayBuffer();
              return response.status;
            }),
          ),
        );
        for (const status of statuses) answers.set(status, (answers.get(status) ?? 0) + 1);
      }
    };

    await download();
    const alone: number[] = [];
    const flooded: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      alone.push(await download());
      const until = { done: false };
      const flooding = flood(until);
      flooded.push(await download());
      until.done = true;
      await flooding;
    }
    const [quiet, busy] = [median(alone), median(flooded)];
    console.log(`download alone:          ${quiet.toFixed(3)} s`);
    console.log(`download under the flood: ${busy.toFixed(3)} s`);
    console.log(`ratio (flooded / alone): ${(busy / quiet).toFixed(2)}`);
    const shown = [...answers].sort(([a], [b]) => a - b).map(([status, count]) => `${count}× ${status}`);
    console.log(
      `the flood's answers: ${shown.join(', ')} (401: hashed and wrong; 503: refused at once, the queue full)`,
    );
  },
  { IMG_WEB_LOGIN_FAILURES: '1000000', IMG_WEB_LOGIN_FAILURES_PER_ADDRESS: '1000000' },
);

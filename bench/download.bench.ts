/**
 * Download throughput of a 1 GiB artifact through `GET /api/v1/jobs/{id}/files/{name}` against reading the same
 * file straight from disk with a read stream, in alternating rounds of the same run. The file is sparse: its
 * pages come from the kernel without touching the disk, so both sides measure their own cost, not the disk's.
 */
import { createReadStream } from 'node:fs';
import { jobWithSparseArtifact } from './lib/artifact.ts';
import { median, serverBusy } from './lib/compare.ts';
import { runLoad } from './lib/load.ts';
import { withBenchServer } from './lib/server.ts';

const SIZE = 1024 ** 3;
const ROUNDS = 3;
const FILE_NAME = 'bench.raw';
const megabytesPerSecond = (seconds: number) => SIZE / 1e6 / seconds;

async function readDirectly(path: string): Promise<number> {
  const started = performance.now();
  let bytes = 0;
  for await (const chunk of createReadStream(path)) bytes += (chunk as Buffer).length;
  if (bytes !== SIZE) throw new Error(`read ${bytes} bytes of ${SIZE}`);
  return (performance.now() - started) / 1000;
}

console.log(`download of a ${SIZE / 1024 ** 3} GiB artifact, ${ROUNDS} rounds, medians`);
await withBenchServer(async (bench) => {
  const { origin, authorization } = bench;
  const { jobId, path } = await jobWithSparseArtifact(bench, FILE_NAME, SIZE);

  /** Wall seconds, and the milliseconds the server's event loop (this thread) was busy sending. */
  const download = async () => {
    const { result, busyMs } = await serverBusy(() =>
      runLoad({
        url: `${origin}/api/v1/jobs/${jobId}/files/${FILE_NAME}`,
        method: 'GET',
        headers: { authorization },
        connections: 1,
        requests: 1,
        expectStatus: 200,
      }),
    );
    if (result.bytes !== SIZE) throw new Error(`downloaded ${result.bytes} bytes of ${SIZE}`);
    return { seconds: result.seconds, busyMs };
  };
  // A first round of each for the JIT and the page cache's view of the sparse file; not counted.
  await download();
  await readDirectly(path);
  const viaApi: { seconds: number; busyMs: number }[] = [];
  const direct: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    viaApi.push(await download());
    direct.push(await readDirectly(path));
  }
  const apiRate = megabytesPerSecond(median(viaApi.map((run) => run.seconds)));
  const busyMs = median(viaApi.map((run) => run.busyMs));
  const directRate = megabytesPerSecond(median(direct));
  console.log(
    `GET /api/v1/jobs/{id}/files/{name}: ${apiRate.toFixed(0)} MB/s ` +
      `(server event loop busy ${busyMs.toFixed(0)} ms per download)`,
  );
  console.log(`read stream of the same file:       ${directRate.toFixed(0)} MB/s`);
  console.log(`ratio ${(apiRate / directRate).toFixed(2)} (download over direct read)`);
});

import { type LoadResult, type LoadSpec, runLoad } from './load.ts';
import { NOOP_PATH } from './server.ts';

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const rate = (result: LoadResult) =>
  `${result.perSecond.toFixed(0)} req/s (p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms)`;

/**
 * The route under test against the server's no-op route with the same method, headers, body and load, in
 * alternating rounds so that a burst of noise from elsewhere on the machine hits both alike; medians of the rounds.
 */
export async function compareWithNoop(
  label: string,
  origin: string,
  spec: LoadSpec,
  rounds = 3,
): Promise<{ route: LoadResult; noop: LoadResult; ratio: number }> {
  const noopSpec: LoadSpec = { ...spec, url: `${origin}${NOOP_PATH}`, expectStatus: 200 };
  // One short warm-up of each, for the JIT and the connection pools.
  const warmUp = Math.max(50, Math.floor(spec.requests / 10));
  await runLoad({ ...spec, requests: warmUp });
  await runLoad({ ...noopSpec, requests: warmUp });
  const routeRuns: LoadResult[] = [];
  const noopRuns: LoadResult[] = [];
  for (let round = 0; round < rounds; round++) {
    routeRuns.push(await runLoad(spec));
    noopRuns.push(await runLoad(noopSpec));
  }
  const byRate = (runs: LoadResult[]) => {
    const middle = median(runs.map((run) => run.perSecond));
    return runs.find((run) => run.perSecond === middle)!;
  };
  const route = byRate(routeRuns);
  const noop = byRate(noopRuns);
  const ratio = route.perSecond / noop.perSecond;
  console.log(
    `${label}: ${rate(route)}; no-op ${spec.method} ${rate(noop)}; ` +
      `ratio ${ratio.toFixed(3)} (${(1 / ratio).toFixed(1)}x the time of a no-op)`,
  );
  return { route, noop, ratio };
}

import { performance } from 'node:perf_hooks';
import { type LoadResult, type LoadSpec, runLoad } from './load.ts';
import { NOOP_PATH } from './server.ts';

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Measured {
  load: LoadResult;
  /**
   * Microseconds per request the server's event loop (this thread; the client runs in a worker) was busy: steadier
   * than req/s when other work shares the machine, since waiting for a core is not counted while idle.
   */
  busyUs: number;
}

/** The result of `run` and the milliseconds this thread's event loop (the server's) was busy meanwhile. */
export async function serverBusy<T>(run: () => Promise<T>): Promise<{ result: T; busyMs: number }> {
  const before = performance.eventLoopUtilization();
  const result = await run();
  return { result, busyMs: performance.eventLoopUtilization(before).active };
}

async function measure(spec: LoadSpec): Promise<Measured> {
  const { result, busyMs } = await serverBusy(() => runLoad(spec));
  return { load: result, busyUs: (busyMs * 1000) / spec.requests };
}

const describe = ({ load, busyUs }: Measured) =>
  `${load.perSecond.toFixed(0)} req/s (p50 ${load.p50Ms.toFixed(1)} ms, p99 ${load.p99Ms.toFixed(1)} ms, ` +
  `server busy ${busyUs.toFixed(0)} µs/req)`;

/** The round with the median rate. */
const typical = (runs: Measured[]) => {
  const middle = median(runs.map((run) => run.load.perSecond));
  return runs.find((run) => run.load.perSecond === middle)!;
};

/**
 * The route under test against the server's no-op route with the same method, headers, body and load, in
 * alternating rounds so that a burst of noise from elsewhere on the machine hits both alike; medians of the rounds.
 * Both ratios are printed: the no-op's req/s is capped by the one-thread client as much as by the server, so the
 * req/s ratio understates the route's cost, and the ratio of server time is the route's own.
 */
export async function compareWithNoop(
  label: string,
  origin: string,
  spec: LoadSpec,
  rounds = 3,
): Promise<{ route: LoadResult; noop: LoadResult; ratio: number }> {
  // At least a couple of thousand no-op requests: fewer pass in a blink that a single stall elsewhere distorts.
  const noopSpec: LoadSpec = {
    ...spec,
    url: `${origin}${NOOP_PATH}`,
    requests: Math.max(spec.requests, 2000),
    expectStatus: 200,
  };
  // One short warm-up of each, for the JIT and the connection pools.
  for (const warmUp of [spec, noopSpec]) {
    await runLoad({ ...warmUp, requests: Math.max(50, Math.floor(warmUp.requests / 10)) });
  }
  const routeRuns: Measured[] = [];
  const noopRuns: Measured[] = [];
  for (let round = 0; round < rounds; round++) {
    routeRuns.push(await measure(spec));
    noopRuns.push(await measure(noopSpec));
  }
  const route = typical(routeRuns);
  const noop = typical(noopRuns);
  const ratio = route.load.perSecond / noop.load.perSecond;
  const busyRatio = median(routeRuns.map((run) => run.busyUs)) / median(noopRuns.map((run) => run.busyUs));
  console.log(
    `${label}: ${describe(route)}; no-op ${spec.method} ${describe(noop)}; ` +
      `ratio ${ratio.toFixed(3)} of the no-op's req/s, ${busyRatio.toFixed(1)}x its server time`,
  );
  return { route: route.load, noop: noop.load, ratio };
}

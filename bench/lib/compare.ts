import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type LoadResult, type LoadSpec, runLoad } from './load.ts';
import { NOOP_PATH } from './server.ts';

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export interface Measured {
  load: LoadResult;
  /**
   * Microseconds per request the server's event loop (this thread; the client runs in a worker) was busy: steadier
   * than req/s when other work shares the machine, since waiting for a core is not counted while idle.
   */
  busyUs: number;
  /**
   * Microseconds of CPU per request this thread used (Linux; 10 ms ticks, so only a long round is exact): unlike
   * busy time, not inflated while a busy loop waits for a core that the machine's other work holds.
   */
  cpuUs: number;
}

/** The result of `run` and the milliseconds this thread's event loop (the server's) was busy meanwhile. */
export async function serverBusy<T>(run: () => Promise<T>): Promise<{ result: T; busyMs: number }> {
  const before = performance.eventLoopUtilization();
  const result = await run();
  return { result, busyMs: performance.eventLoopUtilization(before).active };
}

/** CPU milliseconds the main thread (the server's) used so far; NaN where /proc does not tell. */
function serverCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // After the command name in parentheses: field 14 utime, 15 stime, in clock ticks of 10 ms.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** One load against the server of this thread, with the server's own time per request. */
export async function measure(spec: LoadSpec): Promise<Measured> {
  const cpuBefore = serverCpuMs();
  const { result, busyMs } = await serverBusy(() => runLoad(spec));
  const cpuMs = serverCpuMs() - cpuBefore;
  return { load: result, busyUs: (busyMs * 1000) / spec.requests, cpuUs: (cpuMs * 1000) / spec.requests };
}

const describe = ({ load, busyUs, cpuUs }: Measured) =>
  `${load.perSecond.toFixed(0)} req/s (p50 ${load.p50Ms.toFixed(1)} ms, p99 ${load.p99Ms.toFixed(1)} ms, ` +
  `server busy ${busyUs.toFixed(0)} µs/req, CPU ${cpuUs.toFixed(0)} µs/req)`;

/** The round with the median rate. */
const typical = (runs: Measured[]) => {
  const middle = median(runs.map((run) => run.load.perSecond));
  return runs.find((run) => run.load.perSecond === middle)!;
};

/** One side of a comparison: what it is called in the output, and one measured round of it. */
export interface Side {
  name: string;
  round(): Promise<Measured>;
}

export interface Comparison {
  tested: Measured;
  baseline: Measured;
  /** The tested side's req/s over the baseline's. */
  ratio: number;
  /** The tested side's server time per request over the baseline's. */
  busyRatio: number;
  /** The tested side's server CPU per request over the baseline's. */
  cpuRatio: number;
}

/**
 * Two sides measured in alternating rounds on the same server, so that a burst of noise from elsewhere on the
 * machine hits both alike; medians of the rounds. Both ratios are printed: the baseline's req/s may be capped by
 * the one-thread client as much as by the server, so the req/s ratio understates the tested side's cost, and the
 * ratio of server time is its own.
 */
export async function compareSides(
  label: string,
  tested: Side,
  baseline: Side,
  rounds = 3,
): Promise<Comparison> {
  const testedRuns: Measured[] = [];
  const baselineRuns: Measured[] = [];
  for (let round = 0; round < rounds; round++) {
    testedRuns.push(await tested.round());
    baselineRuns.push(await baseline.round());
  }
  const typicalTested = typical(testedRuns);
  const typicalBaseline = typical(baselineRuns);
  const ratio = typicalTested.load.perSecond / typicalBaseline.load.perSecond;
  const medianRatio = (of: (run: Measured) => number) =>
    median(testedRuns.map(of)) / median(baselineRuns.map(of));
  const busyRatio = medianRatio((run) => run.busyUs);
  const cpuRatio = medianRatio((run) => run.cpuUs);
  console.log(
    `${label}: ${describe(typicalTested)}; ${baseline.name} ${describe(typicalBaseline)}; ` +
      `ratio ${ratio.toFixed(3)} of the ${baseline.name}'s req/s, ${busyRatio.toFixed(2)}x its server time, ` +
      `${cpuRatio.toFixed(2)}x its server CPU`,
  );
  return { tested: typicalTested, baseline: typicalBaseline, ratio, busyRatio, cpuRatio };
}

/** The route under test against the server's no-op route with the same method, headers, body and load. */
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
  const { tested, baseline, ratio } = await compareSides(
    label,
    { name: 'route', round: () => measure(spec) },
    { name: `no-op ${spec.method}`, round: () => measure(noopSpec) },
    rounds,
  );
  return { route: tested.load, noop: baseline.load, ratio };
}

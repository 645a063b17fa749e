/**
 * The ETA's error on a replayed history: 2,000 jobs of six kinds (type × arch, each with its own typical build time
 * and a spread around it) arrive in two queues served by fixed slots, first come first served. At each arrival
 * the estimator sees what the service would (finished builds, builds under way, the queue) and predicts the new
 * job's start and end; the replay then says when it really started and ended. The baseline is the same estimator
 * blind to kinds (every build the median of all), in the same run; the figures are median absolute errors.
 */
import { type ActiveJob, type BuildSample, estimate } from '../src/service/jobs/eta.ts';

const JOBS = 2000;
const RECENT = 200;
const SLOTS = new Map([
  ['web', 2],
  ['api', 1],
]);
const KINDS = [
  { type: 'fs', arch: 'x86_64', seconds: 60 },
  { type: 'raw', arch: 'x86_64', seconds: 300 },
  { type: 'iso', arch: 'x86_64', seconds: 600 },
  { type: 'fs', arch: 'aarch64', seconds: 240 },
  { type: 'raw', arch: 'aarch64', seconds: 900 },
  { type: 'iso', arch: 'aarch64', seconds: 1500 },
];

/** A seeded generator, so every run replays the same history. */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(42);
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

interface Replayed {
  id: string;
  queue: string;
  type: string;
  arch: string;
  arrival: number;
  start: number;
  end: number;
}

// The history: arrivals at about 80 % of what the slots drain (busy queues, real waits), each build its kind's
// time spread by a log-normal factor (sigma 0.3).
const history: Replayed[] = [];
const freeAt = new Map([...SLOTS].map(([queue, slots]) => [queue, Array<number>(slots).fill(0)]));
let clock = 0;
for (let i = 0; i < JOBS; i++) {
  clock += -Math.log(1 - random()) * 260_000;
  const queue = random() < 0.65 ? 'web' : 'api';
  const kind = KINDS[Math.floor(random() * KINDS.length)]!;
  const seconds = kind.seconds * Math.exp(0.3 * normal());
  const slots = freeAt.get(queue)!;
  slots.sort((a, b) => a - b);
  const start = Math.max(clock, slots[0]!);
  const end = start + seconds * 1000;
  slots[0] = end;
  history.push({
    id: String(i).padStart(6, '0'),
    queue,
    type: kind.type,
    arch: kind.arch,
    arrival: clock,
    start,
    end,
  });
}

type Strip = (job: { queue: string; type: string; arch: string }) => {
  queue: string;
  type: string;
  arch: string;
};
const aware: Strip = (job) => job;
const blind: Strip = (job) => ({ queue: job.queue, type: '', arch: '' });

function replay(strip: Strip) {
  const startErrors: number[] = [];
  const endErrors: number[] = [];
  let unestimated = 0;
  const started = performance.now();
  for (const job of history) {
    const now = job.arrival;
    const samples: BuildSample[] = history
      .filter((other) => other.end <= now)
      .sort((a, b) => b.end - a.end)
      .slice(0, RECENT)
      .map((other) => ({ ...strip(other), seconds: (other.end - other.start) / 1000 }));
    const jobs: ActiveJob[] = history
      .filter((other) => other.arrival <= now && other.end > now)
      .map((other) => ({
        id: other.id,
        ...strip(other),
        status: other.start <= now && other.id !== job.id ? 'BUILDING' : 'IN QUEUE',
        started: other.start <= now && other.id !== job.id ? other.start : null,
      }));
    const eta = estimate({ now, samples, jobs, slots: SLOTS }).get(job.id);
    if (!eta || eta.start === null) {
      unestimated++;
      continue;
    }
    startErrors.push(Math.abs(Date.parse(eta.start) - job.start) / 1000);
    endErrors.push(Math.abs(Date.parse(eta.end) - job.end) / 1000);
  }
  return {
    start: median(startErrors),
    end: median(endErrors),
    unestimated,
    msPerEstimate: (performance.now() - started) / history.length,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const waits = history.map((job) => (job.start - job.arrival) / 1000);
console.log(
  `ETA on a replayed history of ${JOBS} jobs (6 kinds, 3 slots in 2 queues); median wait ${median(waits).toFixed(0)} s`,
);
const kinded = replay(aware);
const baseline = replay(blind);
for (const [label, result] of [
  ['estimator (queue, type, arch)', kinded],
  ['baseline (kind-blind median)', baseline],
] as const) {
  console.log(
    `${label}: median error of start ${result.start.toFixed(0)} s, of end ${result.end.toFixed(0)} s ` +
      `(${result.unestimated} jobs without an estimate)`,
  );
}
console.log(
  `ratio to baseline: start ${(kinded.start / baseline.start).toFixed(2)}, end ${(kinded.end / baseline.end).toFixed(2)}`,
);

import type { JobEta } from '../../contract/eta.ts';

/** A finished build: how long similar jobs take. */
export interface BuildSample {
  queue: string;
  type: string;
  arch: string;
  seconds: number;
}

/** A job that waits or builds; waiting ones in the order their queue hands them out. */
export interface ActiveJob {
  id: string;
  queue: string;
  type: string;
  arch: string;
  status: 'IN QUEUE' | 'BUILDING';
  /** When it started building (ms since the epoch); null while it waits. */
  started: number | null;
}

export interface EtaInput {
  now: number;
  samples: readonly BuildSample[];
  jobs: readonly ActiveJob[];
  /** Build slots of the live workers serving each queue (absent or 0: nobody builds it, no estimate). */
  slots: ReadonlyMap<string, number>;
}

/** Fewer samples than this at one level of likeness, and the next, looser one is asked. */
const MIN_SAMPLES = 3;

/** Who is alike, most to least: same queue, type and arch; same type and arch; same type; any job. */
const LIKENESS: ((job: Omit<BuildSample, 'seconds'>) => string)[] = [
  (job) => `${job.queue}\n${job.type}\n${job.arch}`,
  (job) => `\n${job.type}\n${job.arch}`,
  (job) => `\n${job.type}\n`,
  () => '',
];

/** The typical build time of jobs like this one: the median of the closest level with enough samples. */
function typicalDurations(samples: readonly BuildSample[]) {
  const byKey = new Map<string, number[]>();
  for (const sample of samples) {
    for (const key of LIKENESS) {
      const k = key(sample);
      const values = byKey.get(k);
      if (values) values.push(sample.seconds);
      else byKey.set(k, [sample.seconds]);
    }
  }
  const medians = new Map<string, { seconds: number; samples: number }>();
  for (const [key, values] of byKey) medians.set(key, { seconds: median(values), samples: values.length });
  return (job: Omit<BuildSample, 'seconds'>) => {
    for (const key of LIKENESS) {
      const found = medians.get(key(job));
      if (found && (found.samples >= MIN_SAMPLES || key === LIKENESS.at(-1))) return found;
    }
    return null;
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Each active job's estimate. A building job ends a typical build time after it started (or now, when it runs
 * over). A waiting job takes the first slot of its queue to come free, after the jobs ahead of it took theirs,
 * each for its own typical time. Workers serving several queues are counted in each, so a shared worker makes
 * the estimates hopeful.
 */
export function estimate(input: EtaInput): Map<string, JobEta> {
  const typical = typicalDurations(input.samples);
  const result = new Map<string, JobEta>();
  const iso = (ms: number) => new Date(Math.round(ms)).toISOString();
  const queues = new Map<string, ActiveJob[]>();
  for (const job of input.jobs) {
    const list = queues.get(job.queue);
    if (list) list.push(job);
    else queues.set(job.queue, [job]);
  }

  for (const [queue, jobs] of queues) {
    /** When each slot of the queue comes free. */
    const freeAt: number[] = [];
    for (const job of jobs) {
      if (job.status !== 'BUILDING' || job.started === null) continue;
      const typicalTime = typical(job);
      const end = typicalTime ? Math.max(job.started + typicalTime.seconds * 1000, input.now) : input.now;
      freeAt.push(end);
      if (typicalTime) {
        result.set(job.id, {
          start: null,
          end: iso(end),
          build_seconds: Math.round(typicalTime.seconds),
          samples: typicalTime.samples,
        });
      }
    }
    const slots = input.slots.get(queue) ?? 0;
    if (slots === 0) continue;
    while (freeAt.length < slots) freeAt.push(input.now);
    freeAt.sort((a, b) => a - b);
    // More builds than slots (a worker left): the extra ones hold no slot of the future.
    freeAt.splice(slots);
    for (const job of jobs) {
      if (job.status !== 'IN QUEUE') continue;
      const typicalTime = typical(job);
      // Without any finished build to go by, nothing after this job can be estimated either.
      if (!typicalTime) break;
      const start = freeAt.shift() ?? input.now;
      const end = start + typicalTime.seconds * 1000;
      result.set(job.id, {
        start: iso(start),
        end: iso(end),
        build_seconds: Math.round(typicalTime.seconds),
        samples: typicalTime.samples,
      });
      const at = freeAt.findIndex((free) => free > end);
      freeAt.splice(at === -1 ? freeAt.length : at, 0, end);
    }
  }
  return result;
}

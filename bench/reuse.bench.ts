/**
 * Reuse: from the submit of a job identical to a DONE one to that job's DONE, through a real worker of one slot
 * on SQLite and the embedded queue: its build key resolved (the kickstart planned, the local archive's InRelease
 * read and hashed), the DONE twin found, its files hard-linked, the end stored. The baseline, in the same run and
 * of the same jobs, is submit → BUILDING: what every job costs before its build starts. Goal: DONE under 1 s.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from '../src/service/config/index.ts';
import { openDatabase } from '../src/service/db/index.ts';
import { createJobService, createQueueCatalog, type Job } from '../src/service/jobs/index.ts';
import { createEmbeddedTransport } from '../src/service/queue/index.ts';
import { startWorker, workerSettings } from '../src/service/worker/index.ts';

const ROUNDS = 30;
const owner = { username: 'bench', admin: false };
// The worker tests' stand-in build makes the first job's files; the identical ones after it must not build.
const standIn = fileURLToPath(new URL('../test/service/worker/fixtures/stand-in-build.ts', import.meta.url));
process.env.IMG_TEST_BUILD_MS = '200';

const dir = mkdtempSync(join(tmpdir(), 'img-bench-reuse-'));
mkdirSync(join(dir, 'archive', 'dists', 'bookworm'), { recursive: true });
writeFileSync(join(dir, 'archive', 'dists', 'bookworm', 'InRelease'), 'Suite: bookworm\n');
const kickstart =
  `repo --name=local --baseurl=${pathToFileURL(join(dir, 'archive')).href} --suite=bookworm\n` +
  'lang en_US.UTF-8\nrootpw secret\n%packages\nbash\n%end\n';
const request = { kickstart, type: 'fs', arch: 'x86_64', queue: 'web', name: 'bench' };

const database = await openDatabase({ url: '', dataDir: join(dir, 'data') });
const jobs = createJobService({ db: database.db, dialect: database.dialect });
const transport = createEmbeddedTransport();
const settings = workerSettings(loadConfig({ env: {}, file: '/dev/null', warn: () => {} }));
const worker = await startWorker({
  jobs,
  transport,
  catalog: createQueueCatalog(database.db),
  queues: ['web'],
  slots: 1,
  settings: { ...settings, baseDir: join(dir, 'images'), buildEntry: standIn, reuse: true },
  onError: (error, context) => console.error(`${context}: ${error}`),
});

/** When the job was seen BUILDING and ended, by this process's events (no polling in the measure). */
function timed(): { started: Promise<number>; finished: Promise<Job & { at: number }>; off(): void } {
  let onStarted: (at: number) => void = () => {};
  let onFinished: (job: Job & { at: number }) => void = () => {};
  const started = new Promise<number>((resolve) => {
    onStarted = resolve;
  });
  const finished = new Promise<Job & { at: number }>((resolve) => {
    onFinished = resolve;
  });
  const offs = [
    jobs.events.on('job:started', () => onStarted(performance.now())),
    jobs.events.on('job:finished', ({ job }) => onFinished({ ...job, at: performance.now() })),
  ];
  return {
    started,
    finished,
    off: () => {
      for (const off of offs) off();
    },
  };
}

const first = timed();
await jobs.submit(request, owner);
const origin = await first.finished;
first.off();
if (origin.status !== 'DONE') throw new Error(`the first build ended ${origin.status}`);

const toBuilding: number[] = [];
const toDone: number[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  const watch = timed();
  const submitted = performance.now();
  await jobs.submit(request, owner);
  const [started, done] = await Promise.all([watch.started, watch.finished]);
  watch.off();
  if (done.status !== 'DONE' || done.reused_from === null)
    throw new Error(`round ${round} built: ${done.status}`);
  toBuilding.push(started - submitted);
  toDone.push(done.at - submitted);
}
await worker.stop();
await transport.close();
await database.close();
rmSync(dir, { recursive: true, force: true });

const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0;
const summary = (values: number[]) =>
  `p50 ${quantile(values, 0.5).toFixed(1)} ms, p95 ${quantile(values, 0.95).toFixed(1)} ms`;
console.log(`identical submissions, ${ROUNDS} after one build, one at a time`);
console.log(`submit → BUILDING (baseline): ${summary(toBuilding)}`);
console.log(`submit → DONE with the first job's files: ${summary(toDone)} (goal: under 1000 ms)`);
console.log(
  `reuse: DONE p50 ratio ${(quantile(toDone, 0.5) / quantile(toBuilding, 0.5)).toFixed(1)} of submit → BUILDING`,
);

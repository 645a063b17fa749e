import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { processStart } from '../../../src/builder/build-records.ts';
import { localJobFolder as jobFolder } from '../../../src/service/jobs/artifact-store.ts';
import type { Job, JobService, QueueCatalog } from '../../../src/service/jobs/index.ts';
import type { startWorker, WorkerSettings } from '../../../src/service/worker/index.ts';
import { tempDir } from '../helpers.ts';
import { alice, submission } from '../jobs/fixtures.ts';
import { localWorkers } from './local-workers.ts';

const standIn = fileURLToPath(new URL('./fixtures/stand-in-build.ts', import.meta.url));

interface Setup {
  jobs: JobService;
  catalog: QueueCatalog;
  baseDir: string;
  /** Starts one more worker on the same database (on web and api unless told); stopped after the test. */
  worker(
    slots?: number,
    overrides?: Partial<WorkerSettings>,
    queues?: readonly string[],
  ): ReturnType<typeof startWorker>;
}

async function setup(t: TestContext, buildMs: number): Promise<Setup> {
  process.env.IMG_TEST_BUILD_MS = String(buildMs);
  const local = await localWorkers(t);
  const settings: Partial<WorkerSettings> = {
    timeoutMs: 60_000,
    heartbeatMs: 200,
    killGraceMs: 2000,
    stopGraceMs: 2000,
    buildEntry: standIn,
  };
  return {
    jobs: local.jobs,
    catalog: local.catalog,
    baseDir: local.baseDir,
    worker: (slots = 1, overrides = {}, queues = ['web', 'api']) =>
      local.start({ slots, queues, settings: { ...settings, ...overrides } }),
  };
}

async function until(jobs: JobService, id: string, done: (job: Job) => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await jobs.get(id);
    if (job && done(job)) return job;
    if (Date.now() > deadline) assert.fail(`job ${id} is still ${job?.status}`);
    await sleep(25);
  }
}

const finished = (job: Job) => ['DONE', 'ERROR', 'CANCELLED'].includes(job.status);

/** Running, as the leftover sweep judges it: a zombie is dead (an init that does not reap, as on some CI machines, leaves them). */
const alive = async (pid: number): Promise<boolean> => (await processStart(pid)) !== undefined;

/** Whether the process is gone within `ms`: a kill reaches a detached process group a moment after the job ends. */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (!(await alive(pid))) return true;
  return !(await alive(pid));
}

test('a job builds in its own child process, into <base_dir>/<queue>/<owner>/<id>/, with its artifacts recorded', async (t) => {
  const { jobs, baseDir, worker } = await setup(t, 300);
  const { id: workerId } = await worker();
  const submitted = await jobs.submit(submission({ queue: 'web', name: 'demo' }), alice);
  const job = await until(jobs, submitted.id, finished);
  assert.equal(job.status, 'DONE');
  assert.equal(job.worker, workerId);
  const folder = join(baseDir, 'web', 'alice', job.id);
  assert.equal(jobFolder(baseDir, job), folder);
  const image = readFileSync(join(folder, 'demo.img'));
  const main = job.artifacts.find((artifact) => artifact.main);
  assert.deepEqual(main, {
    name: 'demo.img',
    size: image.length,
    sha256: createHash('sha256').update(image).digest('hex'),
    main: true,
  });
  const log = readFileSync(join(folder, 'demo.log'), 'utf8');
  assert.match(log, /builds job .* \(attempt 1\)/);
  assert.match(log, /\[bootstrap\] tick 1/);
  assert.match(log, /== 1\/2 bootstrap/);
  assert.match(log, /job DONE/);
});

test('the log is written while the build runs, not at its end', async (t) => {
  const { jobs, baseDir, worker } = await setup(t, 6000);
  await worker();
  const job = await jobs.submit(submission({ queue: 'web', name: 'live' }), alice);
  await until(jobs, job.id, (current) => current.status === 'BUILDING');
  // The child's start takes a while on a loaded machine: the first tick is awaited, not assumed.
  const path = join(baseDir, 'web', 'alice', job.id, 'live.log');
  const log = () => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  for (let tries = 0; !/tick \d+/.test(log()); tries++) {
    if (tries > 100) assert.fail(`no tick in the log: ${log()}`);
    await sleep(50);
  }
  assert.equal((await jobs.get(job.id))?.status, 'BUILDING', 'the tick was logged before the end');
});

test('progress reaches the job while it builds, in order, a write per step or beat rather than per event', async (t) => {
  const { jobs, worker } = await setup(t, 2000);
  await worker();
  const seen: NonNullable<Job['progress']>[] = [];
  jobs.events.on('job:progress', ({ job }) => {
    if (job.progress) seen.push(job.progress);
  });
  const submitted = await jobs.submit(submission({ queue: 'web', name: 'steps' }), alice);
  const building = await until(jobs, submitted.id, (job) => job.progress?.step === 'packages');
  assert.deepEqual(building.progress?.steps, ['bootstrap', 'packages']);
  assert.equal(building.progress?.index, 2);
  await until(jobs, submitted.id, finished);
  assert.equal(seen[0]?.step, 'bootstrap');
  const steps = seen.map((progress) => progress.index);
  assert.deepEqual(steps, [...steps].sort(), 'steps never go back');
  const bytes = seen.flatMap((progress) => (progress.bytes ? [progress.bytes] : []));
  assert.ok(bytes.length > 0, 'bytes fetched are reported');
  assert.ok(
    seen.every((progress) => progress.bytes === undefined || progress.step === 'bootstrap'),
    'bytes stay with the step that reported them',
  );
  assert.deepEqual(
    bytes.map((b) => b.done),
    bytes.map((b) => b.done).sort((a, b) => a - b),
    'bytes never go back',
  );
  assert.equal(bytes[0]?.total, 2 ** 30);
  const packages = seen.flatMap((progress) => (progress.packages ? [progress.packages.done] : []));
  assert.ok(packages.length > 0, 'package counts are reported');
  assert.deepEqual(
    packages,
    [...packages].sort((a, b) => a - b),
    'counts never go back',
  );
  // The stand-in reports progress every 50 ms (about 40 times); beats are every 200 ms, steps are 2.
  assert.ok(seen.length <= 2 + 2000 / 200 + 2, `${seen.length} progress writes`);
  const bootstrap = seen.filter((progress) => progress.step === 'bootstrap');
  assert.equal(new Set(bootstrap.map((progress) => progress.step_started)).size, 1, 'a step keeps its start');
});

test('a worker is listed with its queues and load while it runs, and gone once it stops', async (t) => {
  const { jobs, worker } = await setup(t, 1500);
  const running = await worker(2, {}, ['web']);
  const [listed] = await jobs.workers.list(60_000);
  assert.equal(listed?.id, running.id);
  assert.deepEqual(listed?.queues, ['web']);
  assert.equal(listed?.slots, 2);
  assert.equal(listed?.busy, 0);
  const job = await jobs.submit(submission({ queue: 'web' }), alice);
  await until(jobs, job.id, (current) => current.status === 'BUILDING');
  const deadline = Date.now() + 5000;
  while ((await jobs.workers.list(60_000))[0]?.busy !== 1) {
    if (Date.now() > deadline) assert.fail('the worker never said it was busy');
    await sleep(50);
  }
  await until(jobs, job.id, finished);
  await running.stop();
  assert.deepEqual(await jobs.workers.list(60_000), []);
});

test('cancel of a building job kills its whole process tree and the job is CANCELLED within 10 s', async (t) => {
  const { jobs, baseDir, worker } = await setup(t, 60_000);
  await worker();
  const job = await jobs.submit(submission({ queue: 'web', name: 'long' }), alice);
  await until(jobs, job.id, (current) => current.status === 'BUILDING');
  const logPath = join(baseDir, 'web', 'alice', job.id, 'long.log');
  let grandchild = 0;
  while (grandchild === 0) {
    // The job is BUILDING from its claim on; its log appears a moment later.
    const log = existsSync(logPath) ? readFileSync(logPath, 'utf8') : '';
    grandchild = Number(/grandchild (\d+)/.exec(log)?.[1] ?? 0);
    await sleep(25);
  }
  assert.ok(await alive(grandchild));
  const asked = Date.now();
  await jobs.cancel(job.id, alice);
  const cancelled = await until(jobs, job.id, finished, 10_000);
  assert.equal(cancelled.status, 'CANCELLED');
  assert.equal(cancelled.error?.class, 'cancelled');
  assert.equal(cancelled.error?.owner, 'user');
  assert.equal(cancelled.error?.step, 'bootstrap', 'the step it was cancelled in');
  t.diagnostic(`cancel → CANCELLED in ${Date.now() - asked} ms`);
  assert.ok(await goneWithin(grandchild, 5000), 'the grandchild in its own process group is gone too');
});

test('a job cancelled while waiting never builds; the worker goes on with the next', async (t) => {
  const { jobs, worker } = await setup(t, 500);
  const first = await jobs.submit(submission({ queue: 'web', name: 'first' }), alice);
  const waiting = await jobs.submit(submission({ queue: 'web', name: 'second' }), alice);
  const third = await jobs.submit(submission({ queue: 'web', name: 'third' }), alice);
  assert.equal((await jobs.cancel(waiting.id, alice)).status, 'CANCELLED');
  await worker();
  assert.equal((await until(jobs, third.id, finished)).status, 'DONE');
  assert.equal((await jobs.get(first.id))?.status, 'DONE');
  const cancelled = await jobs.get(waiting.id);
  assert.equal(cancelled?.status, 'CANCELLED');
  assert.equal(cancelled?.worker, null);
});

test('[worker] timeout reaches the build, which ends in ERROR with the class timeout', async (t) => {
  const { jobs, worker } = await setup(t, 60_000);
  await worker(1, { timeoutMs: 500 });
  const job = await jobs.submit(submission({ queue: 'web' }), alice);
  const ended = await until(jobs, job.id, finished);
  assert.equal(ended.status, 'ERROR');
  assert.equal(ended.error?.class, 'timeout');
  assert.equal(ended.error?.step, 'bootstrap');
  const logLine = ended.error?.details.log_line;
  assert.ok(logLine?.number, 'the log line that says so is numbered');
});

test('post_creation runs after the build with the id, status, folder and image, its output in the log', async (t) => {
  const { jobs, baseDir, worker } = await setup(t, 200);
  const hook = join(tempDir(t), 'post.sh');
  writeFileSync(
    hook,
    '#!/bin/sh\necho "args: $1 $2 $3 $4"\necho "env: $IMG_JOB_ID $IMG_JOB_STATUS"\necho extra > "$3/extra.txt"\n',
  );
  chmodSync(hook, 0o755);
  await worker(1, { postCreation: hook });
  const job = await jobs.submit(submission({ queue: 'web', name: 'hooked' }), alice);
  const done = await until(jobs, job.id, finished);
  assert.equal(done.status, 'DONE');
  const folder = join(baseDir, 'web', 'alice', job.id);
  const log = readFileSync(join(folder, 'hooked.log'), 'utf8');
  assert.ok(log.includes(`post_creation: args: ${job.id} DONE ${folder} ${join(folder, 'hooked.img')}`), log);
  assert.ok(log.includes(`post_creation: env: ${job.id} DONE`));
  assert.ok(
    done.artifacts.some((artifact) => artifact.name === 'extra.txt'),
    'files the hook adds are recorded',
  );
});

test('a worker stopped mid-build leaves the job to the server, which requeues it for another worker', async (t) => {
  const { jobs, worker } = await setup(t, 1500);
  const first = await worker();
  const job = await jobs.submit(submission({ queue: 'web' }), alice);
  await until(jobs, job.id, (current) => current.status === 'BUILDING');
  await first.stop();
  assert.equal((await jobs.get(job.id))?.status, 'BUILDING');
  const second = await worker();
  await sleep(300);
  assert.deepEqual(
    (await jobs.requeueStale(200)).map((moved) => moved.id),
    [job.id],
  );
  const done = await until(jobs, job.id, finished);
  assert.equal(done.status, 'DONE');
  assert.equal(done.worker, second.id);
  assert.equal(done.attempt, 2);
});

test('a worker on every queue builds a queue added while it runs, and stops taking a queue switched off', async (t) => {
  const { jobs, catalog, worker } = await setup(t, 100);
  const running = await worker(1, {}, []);
  assert.deepEqual(running.queues, ['api', 'requests', 'web']);
  await catalog.put({ name: 'nightly', description: '', startsBuilds: true });
  await catalog.put({ name: 'web', description: '', startsBuilds: false });
  const added = await jobs.submit(submission({ queue: 'nightly' }), alice);
  const switchedOn = Date.now();
  assert.equal((await until(jobs, added.id, finished, 10_000)).status, 'DONE');
  t.diagnostic(`a job of the added queue built ${Date.now() - switchedOn} ms after the change`);
  const switchedOff = await jobs.submit(submission({ queue: 'web' }), alice);
  await sleep(2500);
  assert.equal((await jobs.get(switchedOff.id))?.status, 'IN QUEUE');
});

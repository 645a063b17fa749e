// A worker that leaves on purpose (SIGTERM, or an error nothing in it handles) gives its build child
// `[worker] stop_timeout` to clean up before it kills what is left, then goes; the job is left to the server,
// which requeues it as for a worker that died.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Job } from '../../../src/service/jobs/index.ts';
import { builtBy, type Cluster, cluster } from './cluster.ts';

/** The processes working in a job's folder: the stand-in build child and what it started. */
function processesIn(folder: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`) === folder;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** A worker building one job of a minute, its folder once the build child runs in it. */
async function building(built: Cluster, env: NodeJS.ProcessEnv) {
  const worker = built.startWorker({ IMG_TEST_BUILD_MS: '60000', ...env });
  const [submitted] = await built.submit(1);
  const job = await built.until(submitted?.id ?? '', builtBy(worker));
  const folder = join(built.baseDir, job.queue, job.owner, job.id);
  // Building: the stand-in's first step has begun (and the worker has heard that the child started).
  const log = join(folder, `${job.name}.log`);
  while (!(existsSync(log) && readFileSync(log, 'utf8').includes('tick 1'))) await sleep(50);
  return { worker, job, folder };
}

async function exitOf(worker: ChildProcess): Promise<number | null> {
  const [code] = (await once(worker, 'exit')) as [number | null];
  return code;
}

async function builtAgain(built: Cluster, job: Job): Promise<void> {
  built.startWorker({ IMG_TEST_BUILD_MS: '100' });
  const done = await built.until(job.id, (j) => j.status === 'DONE', 30_000);
  assert.equal(done.attempt, 2, 'the server requeued the job and it was built again');
}

/**
 * Stops the worker building a job with `signal`; its build child, whose cleanup takes `cleanupMs`, must finish it
 * and leave nothing running before the worker exits with `exitCode`.
 */
async function stopCleanly(built: Cluster, signal: NodeJS.Signals, cleanupMs: number, exitCode: number) {
  const { worker, job, folder } = await building(built, { IMG_TEST_CLEANUP_MS: String(cleanupMs) });
  worker.kill(signal);
  assert.equal(await exitOf(worker), exitCode);
  assert.ok(existsSync(join(folder, '.cleaned')), "the build child's cleanup ran to its end");
  assert.deepEqual(processesIn(folder), [], 'nothing of the build runs on');
  return job;
}

test('a worker stopped with SIGTERM waits for its build to clean up, then the job is built again', async (t) => {
  const built = await cluster(t, { transport: 'embedded', standInMs: 60_000 });
  // Longer than the 5 s a cancelled build gets: only stop_timeout (30 s by default) lets it finish.
  const job = await stopCleanly(built, 'SIGTERM', 6000, 0);
  assert.equal(
    (await built.jobs().get(job.id))?.status,
    'BUILDING',
    'left to the server, as for a worker gone',
  );
  await builtAgain(built, job);
});

test('a worker failing on an error nothing handles lets its build clean up before it exits', async (t) => {
  const built = await cluster(t, { transport: 'embedded', standInMs: 60_000 });
  await builtAgain(built, await stopCleanly(built, 'SIGUSR2', 1000, 1));
});

test('a build that does not stop within stop_timeout is killed, and the worker goes', async (t) => {
  const built = await cluster(t, { transport: 'embedded', standInMs: 60_000 });
  const { worker, folder } = await building(built, {
    IMG_WORKER_STOP_TIMEOUT: '1',
    IMG_TEST_IGNORE_TERM: '1',
  });
  worker.kill('SIGTERM');
  assert.equal(await exitOf(worker), 0);
  assert.deepEqual(processesIn(folder), [], 'the build was killed');
  assert.ok(!existsSync(join(folder, '.cleaned')));
});

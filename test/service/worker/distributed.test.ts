// Several processes, as IMG runs at scale (see cluster.ts). The builds are the stand-in child: these tests are
// about the queue and the worker, not the image.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobSummary } from '../../../src/service/jobs/index.ts';
import { alice, submission } from '../jobs/fixtures.ts';
import { broker, builtBy, ciServices, cluster, isFinished, rabbitSkip, run } from './cluster.ts';

/** Build children running in this folder (a child runs in its job's folder). */
function processesIn(folder: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return readlinkSync(`/proc/${pid}/cwd`) === folder && cmdline.includes('stand-in-build');
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function within(ms: number, what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await sleep(50);
  }
}

const transports = [
  { name: 'embedded on SQLite', transport: 'embedded' as const, skip: false as const },
  { name: 'RabbitMQ + PostgreSQL', transport: 'rabbitmq' as const, skip: rabbitSkip },
];

for (const { name, transport, skip } of transports) {
  describe(`distributed workers: ${name}`, { skip }, () => {
    test('two workers build every job once; one killed with SIGKILL mid-build loses no job', async (t) => {
      const { submit, startWorker, allFinished, jobs, baseDir } = await cluster(t, {
        transport,
        standInMs: 1500,
      });
      const victim = startWorker();
      const survivor = startWorker();
      const submitted = await submit(4);
      const deadline = Date.now() + 30_000;
      let hit: JobSummary | undefined;
      while (!hit && Date.now() < deadline) {
        hit = (await jobs().list({ status: 'BUILDING' }, { limit: 10 })).jobs.find(builtBy(victim));
        await sleep(50);
      }
      assert.ok(hit, 'the victim took a job');
      const folder = join(baseDir, hit.queue, hit.owner, hit.id);
      await within(10_000, 'the build child started', () => processesIn(folder).length > 0);
      victim.kill('SIGKILL');
      // Before the server requeues the job (heartbeat_timeout, 5 s): nothing of the orphaned build goes on.
      await within(3000, 'the orphaned build child stopped', () => processesIn(folder).length === 0);
      const finished = await allFinished(
        submitted.map((job) => job.id),
        60_000,
      );
      assert.deepEqual(
        finished.map((job) => job.status),
        ['DONE', 'DONE', 'DONE', 'DONE'],
      );
      const retried = finished.find((job) => job.id === hit?.id);
      assert.equal(retried?.attempt, 2, 'the killed build ran again');
      assert.ok(retried?.worker?.startsWith(`${hostname()}-${survivor.pid}-`));
      assert.equal((await jobs().list({ status: 'BUILDING' }, { limit: 10 })).jobs.length, 0);
    });

    test('a server restart mid-queue loses no job and leaves none stuck', async (t) => {
      const { submit, startWorker, allFinished, restartServer, until } = await cluster(t, {
        transport,
        standInMs: 800,
      });
      startWorker();
      const submitted = await submit(4);
      await until(submitted[0]?.id ?? '', (job) => job.status === 'BUILDING');
      await restartServer(1000);
      const more = await submit(1);
      const finished = await allFinished(
        [...submitted, ...more].map((job) => job.id),
        60_000,
      );
      assert.deepEqual(
        finished.map((job) => [job.status, job.attempt]),
        Array(5).fill(['DONE', 1]),
      );
    });

    test('a queue an admin adds while the worker runs is built without a restart', async (t) => {
      const { submit, startWorker, until, jobs, service } = await cluster(t, { transport, standInMs: 100 });
      startWorker();
      const [first] = await submit(1);
      await until(first?.id ?? '', isFinished);
      await service().queues.put({ name: 'late', description: '', startsBuilds: true });
      const late = await jobs().submit(submission({ queue: 'late' }), alice);
      const added = Date.now();
      assert.equal((await until(late.id, isFinished, 10_000)).status, 'DONE');
      t.diagnostic(`the added queue's job was DONE ${Date.now() - added} ms after the queue was added`);
    });

    test('cancel: a waiting job at once, a building one on a remote worker within 10 s', async (t) => {
      const { submit, startWorker, until, jobs } = await cluster(t, { transport, standInMs: 60_000 });
      startWorker();
      const [building, waiting] = await submit(2);
      await until(building?.id ?? '', (job) => job.status === 'BUILDING');
      assert.equal((await jobs().cancel(waiting?.id ?? '', alice)).status, 'CANCELLED');
      const asked = Date.now();
      await jobs().cancel(building?.id ?? '', alice);
      const cancelled = await until(building?.id ?? '', isFinished, 10_000);
      assert.equal(cancelled.status, 'CANCELLED');
      t.diagnostic(`cancel → CANCELLED through the heartbeat in ${Date.now() - asked} ms`);
    });
  });
}

describe('distributed workers: RabbitMQ restart', { skip: rabbitSkip }, () => {
  test('a RabbitMQ restart with jobs queued loses none; a job submitted while it is down waits in the outbox', async (t) => {
    const { submit, startWorker, allFinished, until, outbox } = await cluster(t, {
      transport: 'rabbitmq',
      standInMs: 1000,
    });
    startWorker();
    const submitted = await submit(3);
    await until(submitted[0]?.id ?? '', (job) => job.status === 'BUILDING');
    // Stopped, then booted again on its data, as two steps: a job is submitted while it is surely down. (Waiting
    // for a restarting broker to stop answering raced its shutdown: an AMQP close it never answered hung a run.)
    await run('bash', [ciServices, 'rabbitmq-stop', broker.dir]);
    let booted = false;
    t.after(async () => {
      if (!booted) await run('bash', [ciServices, 'rabbitmq-boot', broker.dir]).catch(() => {});
    });
    const duringRestart = await submit(1);
    assert.deepEqual(
      await outbox(),
      duringRestart.map((job) => job.id),
    );
    await run('bash', [ciServices, 'rabbitmq-boot', broker.dir]);
    booted = true;
    const finished = await allFinished(
      [...submitted, ...duringRestart].map((job) => job.id),
      90_000,
    );
    assert.deepEqual(
      finished.map((job) => job.status),
      ['DONE', 'DONE', 'DONE', 'DONE'],
    );
    assert.deepEqual(await outbox(), []);
  });
});

// Faults of the servers IMG depends on, met by real processes (an `imger serve` web node and `imger worker`s, see
// cluster.ts) against real servers: PostgreSQL stopped for longer than heartbeat_timeout and its connections
// terminated by an admin, RabbitMQ queues deleted and channels closed by the broker, SQLite written by several
// processes at once. After each: every job ended as it should (built once, not requeued), no IMG process died,
// and nothing of the builds is left running, mounted or attached.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp from 'amqplib';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { Job } from '../../../src/service/jobs/index.ts';
import { brokerQueueName } from '../../../src/service/queue/index.ts';
import { validKickstart } from '../jobs/fixtures.ts';
import {
  broker,
  type Cluster,
  ciServices,
  cluster,
  privateDatabase,
  rabbitSkip,
  run,
  type WebNode,
} from './cluster.ts';

/** Longer than twice the cluster's heartbeat_timeout (5 s): long enough to pass for dead workers. */
const OUTAGE_MS = 12_000;

/** Answers of the web node while something is away: each must come, and quickly, never a 500. */
async function ask(web: WebNode, method: 'GET' | 'POST', path: string): Promise<Response> {
  return fetch(`${web.url}${path}`, {
    method,
    headers: { authorization: web.authorization, 'content-type': 'application/json' },
    ...(method === 'POST'
      ? { body: JSON.stringify({ kickstart: validKickstart, type: 'fs', arch: 'x86_64', name: 'test' }) }
      : {}),
    signal: AbortSignal.timeout(10_000),
  });
}

function assertAlive(c: Cluster): void {
  for (const child of c.processes()) {
    if (child.exitCode === null && child.signalCode === null) continue;
    // The log goes with the cluster's folder: what the process said last is kept in the failure.
    const log = readFileSync(join(c.dir, 'processes.log'), 'utf8').split('\n').slice(-40).join('\n');
    assert.fail(
      `process ${child.pid} ended (${child.exitCode ?? child.signalCode}); the processes' log:\n${log}`,
    );
  }
}

/** Stops every IMG process as an admin would (SIGTERM): each must exit cleanly. */
async function stopAll(processes: readonly ChildProcess[]): Promise<void> {
  for (const child of processes) {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, `process ${child.pid} exits 0 when stopped`);
  }
}

/**
 * What the builds left behind, besides their results: processes running in the cluster's folders, mounts and loop
 * devices over them, and in each job folder anything but the image and the log (a staging dot file).
 */
function leftovers(cluster: Cluster, jobs: readonly Job[]): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      if (readlinkSync(`/proc/${pid}/cwd`).startsWith(cluster.dir)) found.push(`process ${pid}`);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    if (line.includes(cluster.dir)) found.push(`mount ${line}`);
  }
  const loops = readFileSync('/proc/partitions', 'utf8').includes('loop')
    ? readdirSync('/sys/block').filter((device) => device.startsWith('loop'))
    : [];
  for (const device of loops) {
    try {
      const backing = readFileSync(`/sys/block/${device}/loop/backing_file`, 'utf8');
      if (backing.includes(cluster.dir)) found.push(`loop device ${device} over ${backing.trim()}`);
    } catch {
      // Not attached.
    }
  }
  for (const job of jobs) {
    const files = readdirSync(join(cluster.baseDir, job.queue, job.owner, job.id)).sort();
    const expected = job.status === 'DONE' ? [`${job.name}.img`, `${job.name}.log`] : [`${job.name}.log`];
    if (files.join() !== expected.join()) found.push(`job ${job.id} folder: ${files.join(', ')}`);
  }
  return found;
}

/** Each job built once and ended DONE; no worker ever built more jobs at once than its one slot. */
function assertBuiltOnce(finished: readonly Job[]): void {
  assert.deepEqual(
    finished.map((job) => [job.status, job.attempt]),
    finished.map(() => ['DONE', 1]),
  );
  for (const worker of new Set(finished.map((job) => job.worker))) {
    const built = finished.filter((job) => job.worker === worker);
    const spans = built.map((job) => [job.started ?? '', job.finished ?? ''] as const).sort();
    for (let i = 1; i < spans.length; i++) {
      assert.ok(spans[i]![0] >= spans[i - 1]![1], `worker ${worker} built two jobs at once`);
    }
  }
}

describe('faults: PostgreSQL goes away (web node and workers on RabbitMQ + PostgreSQL)', {
  skip: rabbitSkip,
}, () => {
  test('stopped for longer than heartbeat_timeout while builds run: 503 meanwhile, then every job DONE once', async (t) => {
    const postgresUrl = await privateDatabase.start();
    // Started again even when an assertion fails during the outage, before the cluster stops: the processes stop
    // cleanly, the test's schema is dropped, and the next test has its server.
    t.after(() => privateDatabase.boot().catch(() => {}));
    const c = await cluster(t, { transport: 'rabbitmq', standInMs: 3000, postgresUrl, webNode: true });
    c.startWorker();
    c.startWorker();
    const submitted = await c.submit(4);
    for (const job of submitted.slice(0, 2)) await c.until(job.id, (now) => now.status === 'BUILDING');

    await privateDatabase.stop();
    const stopped = Date.now();
    const web = c.webNode();
    for (const [method, path] of [
      ['GET', 'api/v1/jobs'],
      ['POST', 'api/v1/jobs'],
      ['GET', 'api/v1/healthz'],
    ] as const) {
      const answer = await ask(web, method, path);
      assert.equal(answer.status, 503, `${method} ${path} while the database is down`);
      assert.equal(answer.headers.get('retry-after'), '5');
      assert.equal(((await answer.json()) as { error: string }).error, 'unavailable');
    }
    // The builds under way end during the outage: their workers hold the results until it is over.
    await sleep(OUTAGE_MS - (Date.now() - stopped));
    assertAlive(c);
    // The workers' first beats after the outage land late (paused here; a slow reconnection, a retry's pause):
    // the web node must count their silence from the database's return, not from their last beat before it.
    const workers = c.processes().slice(1);
    for (const worker of workers) worker.kill('SIGSTOP');
    await privateDatabase.boot();
    await sleep(2000);
    for (const worker of workers) worker.kill('SIGCONT');

    const finished = await c.allFinished(
      submitted.map((job) => job.id),
      60_000,
    );
    assertBuiltOnce(finished);
    assert.equal((await ask(web, 'GET', 'api/v1/jobs')).status, 200);
    assertAlive(c);
    await stopAll(c.processes());
    assert.deepEqual(leftovers(c, finished), []);
  });

  test("an admin terminating IMG's connections again and again: answers are 200 or 503, every job DONE once", async (t) => {
    const url = await privateDatabase.start();
    const c = await cluster(t, { transport: 'rabbitmq', standInMs: 1500, postgresUrl: url, webNode: true });
    c.startWorker();
    c.startWorker();
    const submitted = await c.submit(4);
    await c.until(submitted[0]?.id ?? '', (job) => job.status === 'BUILDING');

    // Only the IMG processes' connections (cluster.ts names them), not this test's own.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    t.after(() => admin.end());
    const statuses = new Set<number>();
    let terminated = 0;
    for (const until = Date.now() + 6000; Date.now() < until; ) {
      const { rows } = await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'imger-test'",
      );
      terminated += rows.length;
      statuses.add((await ask(c.webNode(), 'GET', 'api/v1/jobs')).status);
      await sleep(200);
    }
    assert.ok(terminated > 10, `connections were terminated (${terminated})`);
    assert.deepEqual(
      [...statuses].filter((status) => status !== 200 && status !== 503),
      [],
    );

    const finished = await c.allFinished(
      submitted.map((job) => job.id),
      60_000,
    );
    assertBuiltOnce(finished);
    assertAlive(c);
    await stopAll(c.processes());
    assert.deepEqual(leftovers(c, finished), []);
  });
});

describe('faults: RabbitMQ closes what IMG uses', { skip: rabbitSkip }, () => {
  test('a broker queue deleted by an admin with jobs waiting: they are published again, each built once', async (t) => {
    const c = await cluster(t, { transport: 'rabbitmq', standInMs: 800 });
    c.startWorker();
    c.startWorker();
    const submitted = await c.submit(6);
    await c.until(submitted[0]?.id ?? '', (job) => job.status === 'BUILDING');
    const connection = await amqp.connect(broker.url);
    const channel = await connection.createChannel();
    const { messageCount } = await channel.deleteQueue(brokerQueueName('web'));
    await connection.close();
    assert.ok(messageCount > 0, 'jobs were waiting in the deleted queue');

    const finished = await c.allFinished(
      submitted.map((job) => job.id),
      60_000,
    );
    assertBuiltOnce(finished);
    assert.deepEqual(await c.outbox(), []);
    assertAlive(c);
    await stopAll(c.processes());
    assert.deepEqual(leftovers(c, finished), []);
  });

  test('channels closed by the broker under builds (delivery ack timeout): no job lost or built twice', async (t) => {
    // The broker closes a channel whose delivery stays unacked past consumer_timeout: with the default 30
    // minutes, what a long build meets. Here 1 s, checked every 0.5 s, so that every build of 2.5 s meets it.
    const consumerTimeout = (ms: number, tickMs: number) =>
      run('bash', [
        '-c',
        `source "${ciServices}"; IMG_CI_SERVICES_DIR="${broker.dir}"; ` +
          `rmq_env "$RMQ_BIN/rabbitmqctl" eval 'application:set_env(rabbit, consumer_timeout, ${ms}), ` +
          `application:set_env(rabbit, channel_tick_interval, ${tickMs}).'`,
      ]);
    const c = await cluster(t, { transport: 'rabbitmq', standInMs: 2500 });
    await consumerTimeout(1000, 500);
    t.after(() => consumerTimeout(1_800_000, 60_000));
    c.startWorker();
    c.startWorker();
    const submitted = await c.submit(4);

    const finished = await c.allFinished(
      submitted.map((job) => job.id),
      60_000,
    );
    assertBuiltOnce(finished);
    const log = readFileSync(join(c.dir, 'processes.log'), 'utf8');
    assert.match(log, /delivery acknowledgement on channel \d+ timed out/, 'the broker closed channels');
    assertAlive(c);
    await stopAll(c.processes());
    assert.deepEqual(leftovers(c, finished), []);
  });
});

describe('faults: SQLite written by several processes at once', () => {
  test('a web node taking submissions, three workers building, a lock held: no request fails, every job DONE once', async (t) => {
    const c = await cluster(t, { transport: 'embedded', standInMs: 50, webNode: true });
    for (let i = 0; i < 3; i++) c.startWorker();
    const web = c.webNode();
    const ids: string[] = [];
    const statuses: number[] = [];
    // Eight clients submitting and reading while the workers claim, beat and store.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 4; i++) {
          const answer = await ask(web, 'POST', 'api/v1/jobs');
          statuses.push(answer.status);
          if (answer.status === 201) ids.push(((await answer.json()) as { id: string }).id);
          statuses.push((await ask(web, 'GET', 'api/v1/jobs?limit=20')).status);
        }
      }),
    );
    assert.deepEqual(
      statuses.filter((status) => status !== 201 && status !== 200),
      [],
    );

    // Another process holds the write lock for a while (a long transaction, a backup): the web node's writes
    // wait for it without holding up its reads, and succeed once it is released.
    const other = new SQLite(join(c.dir, 'data', 'img.sqlite'));
    t.after(() => other.close());
    other.exec('begin immediate');
    const waiting = ask(web, 'POST', 'api/v1/jobs');
    await sleep(500);
    assert.equal((await ask(web, 'GET', 'api/v1/jobs?limit=1')).status, 200, 'a read while the lock is held');
    other.exec('commit');
    const stored = await waiting;
    assert.equal(stored.status, 201, 'the write that waited for the lock');
    ids.push(((await stored.json()) as { id: string }).id);

    const finished = await c.allFinished(ids, 60_000);
    assertBuiltOnce(finished);
    assertAlive(c);
    await stopAll(c.processes());
    assert.doesNotMatch(readFileSync(join(c.dir, 'processes.log'), 'utf8'), /SQLITE_BUSY|database is locked/);
    assert.deepEqual(leftovers(c, finished), []);
  });
});

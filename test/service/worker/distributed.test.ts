// Several processes, as IMG runs at scale: the test process plays the server (it stores and publishes jobs and
// requeues those whose heartbeat stopped, as `imger serve` does) and `imger worker` processes build. Their
// builds are the stand-in child: these tests are about the queue and the worker, not the image.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig } from '../../../src/service/config/index.ts';
import type { Job, JobService } from '../../../src/service/jobs/index.ts';
import { openQueuedService, type QueuedService } from '../../../src/service/queue/index.ts';
import { tempDir, testPostgresUrl } from '../helpers.ts';
import { alice, submission } from '../jobs/fixtures.ts';

const workerFixture = fileURLToPath(new URL('./fixtures/worker-process.ts', import.meta.url));
const ciServices = fileURLToPath(new URL('../../../scripts/ci-services.sh', import.meta.url));
const amqpUrl = process.env.IMG_TEST_AMQP_URL;
const pgUrl = process.env.IMG_TEST_PG_URL;
const servicesDir = process.env.IMG_CI_SERVICES_DIR;
/** The server's heartbeat_timeout: the shortest img.conf allows, so a dead worker is noticed within seconds. */
const HEARTBEAT_TIMEOUT_S = 5;

interface Cluster {
  jobs(): JobService;
  submit(count: number): Promise<Job[]>;
  /** An `imger worker` process with one slot. */
  startWorker(): ChildProcess;
  restartServer(pauseMs: number): Promise<void>;
  /** Resolves when every job is finished; fails if one is not within the time. */
  allFinished(ids: readonly string[], timeoutMs: number): Promise<Job[]>;
  until(id: string, check: (job: Job) => boolean, timeoutMs?: number): Promise<Job>;
}

async function cluster(
  t: TestContext,
  transport: 'embedded' | 'rabbitmq',
  buildMs: number,
): Promise<Cluster> {
  const workers: ChildProcess[] = [];
  let server: QueuedService | undefined;
  let sweep: NodeJS.Timeout | undefined;
  // First, so that everything using the database stops before its schema is dropped.
  t.after(async () => {
    clearInterval(sweep);
    await Promise.all(workers.map(stopProcess));
    await server?.close();
  });
  const dir = tempDir(t);
  const configFile = join(dir, 'img.conf');
  writeFileSync(configFile, '');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    IMG_CONFIG: configFile,
    IMG_DB_URL: transport === 'rabbitmq' ? await testPostgresUrl(t) : '',
    IMG_DB_DATA_DIR: join(dir, 'data'),
    IMG_WORKER_BASE_DIR: join(dir, 'images'),
    IMG_WORKER_HEARTBEAT_TIMEOUT: String(HEARTBEAT_TIMEOUT_S),
    IMG_TEST_BUILD_MS: String(buildMs),
    IMG_LOG_LEVEL: 'warn',
    ...(transport === 'rabbitmq' ? amqpEnv(amqpUrl ?? '') : {}),
  };
  const config = loadConfig({ env });
  const log = openSync(join(dir, 'processes.log'), 'a');

  const openServer = async (): Promise<void> => {
    server = await openQueuedService(config, () => {});
    const { jobs } = server.service;
    sweep = setInterval(() => void jobs.requeueStale(HEARTBEAT_TIMEOUT_S * 1000).catch(() => {}), 500);
  };
  await openServer();
  const jobs = (): JobService => (server as QueuedService).service.jobs;

  const until = async (id: string, check: (job: Job) => boolean, timeoutMs = 30_000): Promise<Job> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await jobs().get(id);
      if (job && check(job)) return job;
      if (Date.now() > deadline)
        assert.fail(`job ${id} is still ${job?.status} (logs: ${dir}/processes.log)`);
      await sleep(100);
    }
  };

  return {
    jobs,
    async submit(count) {
      const submitted: Job[] = [];
      for (let i = 0; i < count; i += 1)
        submitted.push(await jobs().submit(submission({ queue: 'web' }), alice));
      return submitted;
    },
    startWorker() {
      const worker = spawn(process.execPath, ['--import', 'tsx', workerFixture], {
        env,
        stdio: ['ignore', log, log],
      });
      workers.push(worker);
      return worker;
    },
    async restartServer(pauseMs) {
      clearInterval(sweep);
      await server?.close();
      await sleep(pauseMs);
      await openServer();
    },
    async allFinished(ids, timeoutMs) {
      const finished: Job[] = [];
      for (const id of ids) finished.push(await until(id, isFinished, timeoutMs));
      return finished;
    },
    until,
  };
}

function amqpEnv(url: string): NodeJS.ProcessEnv {
  const parsed = new URL(url);
  return {
    IMG_AMQP_AMQP_HOST: parsed.host,
    IMG_AMQP_AMQP_USER: decodeURIComponent(parsed.username),
    IMG_AMQP_AMQP_PWD: decodeURIComponent(parsed.password),
    IMG_AMQP_AMQP_VHOST: decodeURIComponent(parsed.pathname.slice(1)),
  };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const isFinished = (job: Job) => ['DONE', 'ERROR', 'CANCELLED'].includes(job.status);
const builtBy = (worker: ChildProcess) => (job: Job) =>
  job.status === 'BUILDING' && (job.worker ?? '').startsWith(`${hostname()}-${worker.pid}-`);

const transports = [
  { name: 'embedded on SQLite', transport: 'embedded' as const, skip: false as const },
  {
    name: 'RabbitMQ + PostgreSQL',
    transport: 'rabbitmq' as const,
    skip:
      amqpUrl && pgUrl
        ? (false as const)
        : 'needs IMG_TEST_AMQP_URL and IMG_TEST_PG_URL (scripts/test.sh sets both)',
  },
];

for (const { name, transport, skip } of transports) {
  describe(`distributed workers: ${name}`, { skip }, () => {
    test('two workers build every job once; one killed with SIGKILL mid-build loses no job', async (t) => {
      const { submit, startWorker, allFinished, jobs } = await cluster(t, transport, 1500);
      const victim = startWorker();
      const survivor = startWorker();
      const submitted = await submit(4);
      const deadline = Date.now() + 30_000;
      let hit: Job | undefined;
      while (!hit && Date.now() < deadline) {
        hit = (await jobs().list({ status: 'BUILDING' }, { limit: 10 })).jobs.find(builtBy(victim));
        await sleep(50);
      }
      assert.ok(hit, 'the victim took a job');
      victim.kill('SIGKILL');
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
      const { submit, startWorker, allFinished, restartServer, until } = await cluster(t, transport, 800);
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

    test('cancel: a waiting job at once, a building one on a remote worker within 10 s', async (t) => {
      const { submit, startWorker, until, jobs } = await cluster(t, transport, 60_000);
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

describe('distributed workers: RabbitMQ restart', {
  skip:
    amqpUrl && pgUrl && servicesDir
      ? false
      : 'needs the servers of scripts/ci-services.sh (IMG_CI_SERVICES_DIR)',
}, () => {
  test('a RabbitMQ restart with jobs queued loses none; a job submitted while it is down waits in the outbox', async (t) => {
    const { submit, startWorker, allFinished, until } = await cluster(t, 'rabbitmq', 1000);
    startWorker();
    const submitted = await submit(3);
    await until(submitted[0]?.id ?? '', (job) => job.status === 'BUILDING');
    const restart = promisify(execFile)('bash', [ciServices, 'restart-rabbitmq', servicesDir ?? '']);
    await sleep(3000); // the broker is stopping or down by now
    const duringRestart = await submit(1);
    await restart;
    const finished = await allFinished(
      [...submitted, ...duringRestart].map((job) => job.id),
      90_000,
    );
    assert.deepEqual(
      finished.map((job) => job.status),
      ['DONE', 'DONE', 'DONE', 'DONE'],
    );
  });
});

// A small IMG cluster for the tests: the test process plays the server (it stores and publishes jobs and
// requeues those whose heartbeat stopped, as `imger serve` does) and `imger worker` processes build; or, with
// `webNode`, a real `imger serve` process is the server and the test drives it through the API.
// RabbitMQ runs on a broker of the test file's own (ci-services.sh rabbitmq-start): a test restarts it, and
// the workers consume the default `img.*` queues, which other test files may use at the same time. A test that
// stops PostgreSQL runs on a server of the file's own as well (`privateDatabase`).
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig } from '../../../src/service/config/index.ts';
import { isUnavailable } from '../../../src/service/db/index.ts';
import type { Job, JobService } from '../../../src/service/jobs/index.ts';
import type { Service } from '../../../src/service/open.ts';
import { openQueuedService, type QueuedService } from '../../../src/service/queue/index.ts';
import { tempDir, testPostgresUrl } from '../helpers.ts';
import { alice, submission } from '../jobs/fixtures.ts';

const workerFixture = fileURLToPath(new URL('./fixtures/worker-process.ts', import.meta.url));
const imgerMain = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
export const ciServices = fileURLToPath(new URL('../../../scripts/ci-services.sh', import.meta.url));
const pgUrl = process.env.IMG_TEST_PG_URL;
export const rabbitSkip =
  process.env.IMG_TEST_AMQP_URL && pgUrl
    ? (false as const)
    : 'needs IMG_TEST_AMQP_URL and IMG_TEST_PG_URL (scripts/test.sh sets both)';
export const run = promisify(execFile);

/** The private broker: started by the first RabbitMQ cluster, stopped after the file. */
export const broker = { dir: '', url: '' };
async function startBroker(): Promise<void> {
  if (broker.dir !== '') return;
  broker.dir = mkdtempSync(join(tmpdir(), 'img-test-rabbitmq-'));
  broker.url = (await run('bash', [ciServices, 'rabbitmq-start', broker.dir])).stdout.trim();
}
after(async () => {
  if (broker.dir === '') return;
  await run('bash', [ciServices, 'rabbitmq-stop', broker.dir]);
  rmSync(broker.dir, { recursive: true, force: true });
});

/** A PostgreSQL of the file's own, which its tests stop and start: started on first use, stopped after the file. */
export const privateDatabase = {
  dir: '',
  url: '',
  async start(): Promise<string> {
    if (this.dir === '') {
      this.dir = mkdtempSync(join(tmpdir(), 'img-test-postgres-'));
      this.url = (await run('bash', [ciServices, 'postgres-start', this.dir])).stdout.trim();
    }
    return this.url;
  },
  /** Stops the server as an admin's restart does (connections cut with 57P01); its data stays. */
  async stop(): Promise<void> {
    await run('bash', [ciServices, 'postgres-stop', this.dir]);
  },
  async boot(): Promise<void> {
    await run('bash', [ciServices, 'postgres-boot', this.dir]);
  },
};
after(async () => {
  if (privateDatabase.dir === '') return;
  await privateDatabase.stop();
  rmSync(privateDatabase.dir, { recursive: true, force: true });
});
/** The server's heartbeat_timeout: the shortest img.conf allows, so a dead worker is noticed within seconds. */
const HEARTBEAT_TIMEOUT_S = 5;

export interface Cluster {
  /** `[worker] base_dir` of the workers. */
  baseDir: string;
  jobs(): JobService;
  /** The server's database and services, for a test that serves the API from them. */
  service(): Service;
  /** Ids of the jobs stored but not yet handed to the broker. */
  outbox(): Promise<string[]>;
  submit(count: number): Promise<Job[]>;
  /** An `imger worker` process with one slot; `env` changes its configuration (IMG_* variables). */
  startWorker(env?: NodeJS.ProcessEnv): ChildProcess;
  /** The `imger serve` process (only with `webNode`). */
  webNode(): WebNode;
  /** Every IMG process started, the web node's first. */
  processes(): ChildProcess[];
  /** The cluster's folder: its data, its job folders and its processes' log. */
  dir: string;
  restartServer(pauseMs: number): Promise<void>;
  /** Resolves when every job is finished; fails if one is not within the time. */
  allFinished(ids: readonly string[], timeoutMs: number): Promise<Job[]>;
  until(id: string, check: (job: Job) => boolean, timeoutMs?: number): Promise<Job>;
}

export interface ClusterOptions {
  transport: 'embedded' | 'rabbitmq';
  /** How long the stand-in build runs; without it the workers build with the real build child. */
  standInMs?: number;
  /** Where the RabbitMQ cluster's schema is made: IMG_TEST_PG_URL's server by default. */
  postgresUrl?: string;
  /** Starts `imger serve` (no build slots), which then requeues lost jobs instead of the test process. */
  webNode?: boolean;
}

export interface WebNode {
  process: ChildProcess;
  /** The server's root, with a trailing slash. */
  url: string;
  /** `Authorization` of the default admin's API token. */
  authorization: string;
}

export async function cluster(
  t: TestContext,
  { transport, standInMs, postgresUrl, webNode: withWebNode = false }: ClusterOptions,
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
  if (transport === 'rabbitmq') await startBroker();
  const dir = tempDir(t);
  const configFile = join(dir, 'img.conf');
  writeFileSync(configFile, '');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    IMG_CONFIG: configFile,
    IMG_DB_URL: transport === 'rabbitmq' ? await testPostgresUrl(t, postgresUrl) : '',
    IMG_DB_DATA_DIR: join(dir, 'data'),
    IMG_WORKER_BASE_DIR: join(dir, 'images'),
    IMG_WORKER_HEARTBEAT_TIMEOUT: String(HEARTBEAT_TIMEOUT_S),
    IMG_LOG_LEVEL: 'warn',
    // The cluster tests build the same kickstart again and again, and mean each to build.
    IMG_WORKER_REUSE: 'no',
    // The processes' PostgreSQL connections carry this name, so a test can tell them from its own.
    PGAPPNAME: 'imger-test',
    ...(transport === 'rabbitmq' ? amqpEnv(broker.url) : {}),
  };
  // Set: the workers build with the stand-in; unset (even if this process has it): the real build child.
  if (standInMs === undefined) delete env.IMG_TEST_BUILD_MS;
  else env.IMG_TEST_BUILD_MS = String(standInMs);
  const config = loadConfig({ env });
  const log = openSync(join(dir, 'processes.log'), 'a');

  const openServer = async (): Promise<void> => {
    server = await openQueuedService(config, () => {});
    const { jobs } = server.service;
    if (withWebNode) return;
    sweep = setInterval(() => void jobs.requeueStale(HEARTBEAT_TIMEOUT_S * 1000).catch(() => {}), 500);
  };
  await openServer();
  const jobs = (): JobService => (server as QueuedService).service.jobs;
  const web = withWebNode ? await startWebNode(env, log) : undefined;
  if (web) workers.unshift(web.process);

  const until = async (id: string, check: (job: Job) => boolean, timeoutMs = 30_000): Promise<Job> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // A test that stops the database reads again once it is back.
      const job = await jobs()
        .get(id)
        .catch((error: unknown) => (isUnavailable(error) ? undefined : Promise.reject(error)));
      if (job && check(job)) return job;
      if (Date.now() > deadline)
        assert.fail(`job ${id} is still ${job?.status} (logs: ${dir}/processes.log)`);
      await sleep(100);
    }
  };

  return {
    dir,
    baseDir: env.IMG_WORKER_BASE_DIR ?? '',
    webNode: () => {
      if (!web) throw new Error('the cluster has no web node: pass webNode: true');
      return web;
    },
    processes: () => [...workers],
    jobs,
    service: () => (server as QueuedService).service,
    async outbox() {
      const { db } = (server as QueuedService).service.database;
      return (await db.selectFrom('outbox').select('job_id').execute()).map((row) => row.job_id);
    },
    async submit(count) {
      const submitted: Job[] = [];
      for (let i = 0; i < count; i += 1)
        submitted.push(await jobs().submit(submission({ queue: 'web' }), alice));
      return submitted;
    },
    startWorker(overrides = {}) {
      const worker = spawn(process.execPath, ['--import', 'tsx', workerFixture], {
        env: { ...env, ...overrides },
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

/** `imger serve` on a free loopback port, without build slots, logged in as the default admin. */
async function startWebNode(env: NodeJS.ProcessEnv, log: number): Promise<WebNode> {
  const child = spawn(process.execPath, ['--import', 'tsx', imgerMain, 'serve'], {
    env: { ...env, IMG_WEB_LISTEN: '127.0.0.1:0', IMG_WORKER_NUM_WORKERS: '0' },
    stdio: ['ignore', 'pipe', log],
  });
  const stdout = child.stdout as Readable;
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const address = /IMG is serving at (\S+)/.exec(out)?.[1];
      if (!address) return;
      // Its request log is not needed; what it writes must still be read, or it would block on a full pipe.
      stdout.off('data', onData).resume();
      resolve(address);
    };
    stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`imger serve exited with ${code} before it listened`)));
  });
  const login = await fetch(`${url}api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'imager', password: 'imager' }),
  });
  assert.equal(login.status, 201, 'the default admin logs in');
  const { token } = (await login.json()) as { token: string };
  return { process: child, url, authorization: `Bearer ${token}` };
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

export const isFinished = (job: Pick<Job, 'status'>) => ['DONE', 'ERROR', 'CANCELLED'].includes(job.status);
export const builtBy = (worker: ChildProcess) => (job: Pick<Job, 'status' | 'worker'>) =>
  job.status === 'BUILDING' && (job.worker ?? '').startsWith(`${hostname()}-${worker.pid}-`);

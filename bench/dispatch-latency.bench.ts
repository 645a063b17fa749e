/**
 * Dispatch latency: from the call that submits a job to the moment a waiting worker holds it BUILDING, for each
 * transport, one job at a time so that nothing but dispatch is measured. The embedded transport runs on SQLite;
 * RabbitMQ runs when IMG_TEST_AMQP_URL is set, on PostgreSQL when IMG_TEST_PG_URL is set (else SQLite), the way
 * scripts/ci-services.sh provides both. The consumer stores DONE and acks at once, as a worker does at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import pg from 'pg';
import { openDatabase } from '../src/service/db/index.ts';
import { createJobService, type JobPublisher } from '../src/service/jobs/index.ts';
import {
  brokerQueueName,
  createEmbeddedTransport,
  createRabbitTransport,
  type QueueTransport,
} from '../src/service/queue/index.ts';

const JOBS = 200;
const kickstart = 'lang en_US.UTF-8\nkeyboard us\ntimezone UTC\nrootpw secret\n%packages\nbash\n%end\n';
const owner = { username: 'bench', admin: false };

/** The p95 of submit → BUILDING of each transport measured, by label. */
const p95s = new Map<string, number>();

async function measure(label: string, dbUrl: string, transport: QueueTransport & { publish?: JobPublisher }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'img-bench-'));
  const database = await openDatabase({ url: dbUrl, dataDir });
  const jobs = createJobService({
    db: database.db,
    dialect: database.dialect,
    ...(transport.publish ? { publish: transport.publish } : {}),
  });
  let delivered: ((at: number) => void) | undefined;
  let settled = Promise.resolve();
  const consumer = await transport.consume(
    { jobs, queues: ['web'], workerId: 'bench', slots: 1 },
    (delivery) => {
      delivered?.(performance.now());
      settled = jobs.finish(delivery.job.id, 'bench', { artifacts: [] }).then(() => delivery.ack());
    },
  );
  const submitMs: number[] = [];
  const dispatchMs: number[] = [];
  for (let i = 0; i < JOBS; i += 1) {
    // The previous job's end is stored and acked first: a worker of one slot takes no job before that.
    await settled;
    const arrived = new Promise<number>((resolve) => {
      delivered = resolve;
    });
    const started = performance.now();
    await jobs.submit({ kickstart, type: 'fs', arch: 'x86_64', queue: 'web', name: `bench${i}` }, owner);
    submitMs.push(performance.now() - started);
    dispatchMs.push((await arrived) - started);
  }
  await settled;
  await consumer.stop();
  await transport.close();
  await database.close();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`${label}: submit call ${summary(submitMs)}; submit → BUILDING ${summary(dispatchMs)}`);
  p95s.set(label, quantile(dispatchMs, 0.95));
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function summary(values: number[]): string {
  const at = (q: number) => quantile(values, q).toFixed(1);
  return `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`;
}

/** A schema of its own on the given PostgreSQL, dropped afterwards. */
async function withPostgresSchema(baseUrl: string, run: (url: string) => Promise<void>): Promise<void> {
  const schema = `bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  try {
    const url = new URL(baseUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    await run(url.toString());
  } finally {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}

console.log(`dispatch latency over ${JOBS} jobs, one at a time`);
await measure('embedded, SQLite', '', createEmbeddedTransport());
const pgUrl = process.env.IMG_TEST_PG_URL;
if (pgUrl) {
  await withPostgresSchema(pgUrl, (url) => measure('embedded, PostgreSQL', url, createEmbeddedTransport()));
}

const amqpUrl = process.env.IMG_TEST_AMQP_URL;
if (!amqpUrl) {
  console.log('RabbitMQ: skipped (set IMG_TEST_AMQP_URL, e.g. through scripts/ci-services.sh)');
} else {
  const queuePrefix = `bench.${process.pid}.`;
  const rabbit = async (dbUrl: string) => {
    const transport = await createRabbitTransport({ url: amqpUrl, queuePrefix });
    await transport.waitForConnect();
    await measure(`RabbitMQ, ${dbUrl === '' ? 'SQLite' : 'PostgreSQL'}`, dbUrl, transport);
    const connection = await amqp.connect(amqpUrl);
    await (await connection.createChannel()).deleteQueue(brokerQueueName('web', queuePrefix));
    await connection.close();
  };
  if (pgUrl) await withPostgresSchema(pgUrl, rabbit);
  else await rabbit('');
}

const baseline = p95s.get('embedded, SQLite') ?? 0;
for (const [label, p95] of p95s) {
  if (label === 'embedded, SQLite') continue;
  console.log(
    `${label}: dispatch p95 ${p95.toFixed(1)} ms, ratio ${(p95 / baseline).toFixed(2)} of embedded SQLite's`,
  );
}

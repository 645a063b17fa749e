import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type TestContext, test } from 'node:test';
import amqp from 'amqplib';
import { createJobService, type JobService } from '../../../src/service/jobs/index.ts';
import {
  brokerQueueName,
  createRabbitTransport,
  type RabbitTransport,
  startOutboxRelay,
} from '../../../src/service/queue/index.ts';
import { databaseKinds, testDatabase } from '../helpers.ts';
import { alice, submission } from '../jobs/fixtures.ts';
import { transportConformance } from './conformance.ts';

const url = process.env.IMG_TEST_AMQP_URL;
const skip = url
  ? false
  : 'needs RabbitMQ: set IMG_TEST_AMQP_URL (scripts/test.sh starts one through ci-services.sh)';
// PostgreSQL when there is one: RabbitMQ is how IMG runs at scale, next to PostgreSQL.
const kind = databaseKinds.at(-1) ?? 'sqlite';

/** Broker queues of their own, deleted afterwards, so test files running at the same time never share a message. */
function isolatedPrefix(t: TestContext): string {
  const prefix = `test.${randomUUID()}.`;
  t.after(async () => {
    const connection = await amqp.connect(url ?? '');
    const channel = await connection.createChannel();
    for (const queue of ['web', 'api']) await channel.deleteQueue(brokerQueueName(queue, prefix));
    await connection.close();
  });
  return prefix;
}

async function harness(t: TestContext) {
  const queuePrefix = isolatedPrefix(t);
  const { db, dialect } = await testDatabase(t, kind);
  const open = async (): Promise<RabbitTransport> => {
    const transport = await createRabbitTransport({ url: url ?? '', queuePrefix, retryPauseMs: 100 });
    t.after(() => transport.close());
    await transport.waitForConnect();
    return transport;
  };
  const publisher = await open();
  const jobs = createJobService({ db, dialect, publish: publisher.publish });
  return { db, jobs, transport: open };
}

if (skip) {
  test('RabbitMQ transport', { skip }, () => {});
} else {
  transportConformance(`RabbitMQ on ${kind}`, harness);

  test('a job stored while the broker is unreachable waits in the outbox and is published by the relay', async (t) => {
    const { db, jobs: reachable, transport } = await harness(t);
    const failing = async (): Promise<void> => {
      throw new Error('broker down');
    };
    const stranded: JobService = createJobService({ db, dialect: kind, publish: failing });
    const job = await stranded.submit(submission({ queue: 'web' }), alice);
    assert.equal(job.status, 'IN QUEUE');
    const waiting = await db.selectFrom('outbox').select('job_id').execute();
    assert.deepEqual(
      waiting.map((row) => row.job_id),
      [job.id],
    );

    const consumerTransport = await transport();
    const delivered: string[] = [];
    await consumerTransport.consume(
      { jobs: reachable, queues: ['web'], workerId: 'w1', slots: 1 },
      (delivery) => delivered.push(delivery.job.id),
    );
    const relay = startOutboxRelay({ db, publish: (await transport()).publish, graceMs: 0, everyMs: 60_000 });
    t.after(() => relay.stop());
    assert.equal(await relay.drain(), 1);
    assert.equal((await db.selectFrom('outbox').select('job_id').execute()).length, 0);
    const deadline = Date.now() + 5000;
    while (delivered.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(delivered, [job.id]);
  });

  test('publish fails at once, without waiting, while the broker cannot be reached', async (t) => {
    const unreachable = await createRabbitTransport({ url: 'amqp://nobody:nothing@127.0.0.1:1/none' });
    t.after(() => unreachable.close());
    const started = Date.now();
    await assert.rejects(unreachable.publish({ id: 'x', queue: 'web' }), /not connected/);
    assert.ok(Date.now() - started < 1000);
  });
}

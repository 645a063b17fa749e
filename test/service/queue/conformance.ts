// The one suite every queue transport passes: embedded.test.ts and rabbitmq.test.ts run it through a factory.
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Job, JobService } from '../../../src/service/jobs/index.ts';
import type { Consumer, Delivery, QueueTransport } from '../../../src/service/queue/index.ts';
import { alice, submission } from '../jobs/fixtures.ts';

export interface TransportHarness {
  /** Stores jobs and publishes them through the transport under test. */
  jobs: JobService;
  /** A transport of its own (its own broker connection), as another worker process has; closed after the test. */
  transport(): Promise<QueueTransport>;
}

export type TransportFactory = (t: TestContext) => Promise<TransportHarness>;

/** A consumer that records what it is given; the test decides when each job ends. */
async function record(transport: QueueTransport, jobs: JobService, workerId: string, slots: number) {
  const deliveries: Delivery[] = [];
  const consumer = await transport.consume({ jobs, queues: ['web', 'api'], workerId, slots }, (delivery) =>
    deliveries.push(delivery),
  );
  return { deliveries, consumer, ids: () => deliveries.map((delivery) => delivery.job.id) };
}

/** What a worker does when a build ends: store the final state, then ack. */
async function finish(jobs: JobService, delivery: Delivery): Promise<void> {
  await jobs.finish(delivery.job.id, delivery.job.worker ?? '', { artifacts: [] });
  await delivery.ack();
}

async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function submitMany(jobs: JobService, count: number, queue = 'web'): Promise<Job[]> {
  const submitted: Job[] = [];
  for (let i = 0; i < count; i += 1)
    submitted.push(await jobs.submit(submission({ queue, name: `job${i}` }), alice));
  return submitted;
}

/** Long enough for a transport that would over-deliver to have done so. */
const SETTLE_MS = 400;

export function transportConformance(name: string, factory: TransportFactory): void {
  describe(`queue transport conformance: ${name}`, () => {
    test('delivers the jobs of a queue in the order they were submitted, each claimed for the consumer', async (t) => {
      const { jobs, transport } = await factory(t);
      const submitted = await submitMany(jobs, 5);
      const worker = await record(await transport(), jobs, 'w1', 1);
      for (let i = 0; i < submitted.length; i += 1) {
        await waitFor(`delivery ${i + 1}`, () => worker.deliveries.length > i);
        const delivery = worker.deliveries[i] as Delivery;
        assert.equal(delivery.job.status, 'BUILDING');
        assert.equal(delivery.job.worker, 'w1');
        await finish(jobs, delivery);
      }
      assert.deepEqual(
        worker.ids(),
        submitted.map((job) => job.id),
      );
      await worker.consumer.stop();
    });

    test('never has more unacked jobs than free slots, and an ack frees a slot', async (t) => {
      const { jobs, transport } = await factory(t);
      await submitMany(jobs, 5);
      const worker = await record(await transport(), jobs, 'w1', 2);
      await waitFor('two deliveries', () => worker.deliveries.length === 2);
      await sleep(SETTLE_MS);
      assert.equal(worker.deliveries.length, 2);
      await finish(jobs, worker.deliveries[0] as Delivery);
      await waitFor('a third delivery', () => worker.deliveries.length === 3);
      await sleep(SETTLE_MS);
      assert.equal(worker.deliveries.length, 3);
      const waiting = await jobs.list({ status: 'IN QUEUE' }, { limit: 10 });
      assert.equal(waiting.jobs.length, 2, 'jobs beyond the slots stay IN QUEUE, claimable by other workers');
      await worker.consumer.stop();
    });

    test('a job whose final state is stored is not delivered again when its consumer dies before the ack', async (t) => {
      const { jobs, transport } = await factory(t);
      const [job] = await submitMany(jobs, 1);
      const first = await transport();
      const worker = await record(first, jobs, 'w1', 1);
      await waitFor('the delivery', () => worker.deliveries.length === 1);
      await jobs.finish(job?.id ?? '', 'w1', { artifacts: [] });
      await first.close(); // dies between storing DONE and the ack

      const second = await record(await transport(), jobs, 'w2', 1);
      await sleep(SETTLE_MS * 2);
      assert.equal(second.deliveries.length, 0);
      assert.equal((await jobs.get(job?.id ?? ''))?.status, 'DONE');
      await second.consumer.stop();
    });

    test('the job of a consumer that died mid-build is delivered again once the server requeues it', async (t) => {
      const { jobs, transport } = await factory(t);
      const [job] = await submitMany(jobs, 1);
      const first = await transport();
      const dead = await record(first, jobs, 'w1', 1);
      await waitFor('the first delivery', () => dead.deliveries.length === 1);
      await first.close();

      const second = await record(await transport(), jobs, 'w2', 1);
      await sleep(SETTLE_MS);
      assert.equal(second.deliveries.length, 0, 'still BUILDING for w1 until its heartbeat is missed');
      const requeued = await jobs.requeueStale(0);
      assert.deepEqual(
        requeued.map((moved) => moved.id),
        [job?.id],
      );
      await waitFor('the redelivery', () => second.deliveries.length === 1);
      const again = second.deliveries[0] as Delivery;
      assert.equal(again.job.id, job?.id);
      assert.equal(again.job.worker, 'w2');
      assert.equal(again.job.attempt, 2);
      await finish(jobs, again);
      await second.consumer.stop();
    });

    test('many concurrent consumers build each job exactly once', async (t) => {
      const { jobs, transport } = await factory(t);
      const submitted = [...(await submitMany(jobs, 12, 'web')), ...(await submitMany(jobs, 12, 'api'))];
      const built: string[] = [];
      const consumers: Consumer[] = [];
      for (let i = 0; i < 4; i += 1) {
        const workerTransport = await transport();
        consumers.push(
          await workerTransport.consume(
            { jobs, queues: ['web', 'api'], workerId: `w${i}`, slots: 2 },
            (delivery) => {
              built.push(delivery.job.id);
              void sleep(Math.random() * 30).then(() => finish(jobs, delivery));
            },
          ),
        );
      }
      await waitFor('every job DONE', async () => {
        const done = await jobs.list({ status: 'DONE' }, { limit: 100 });
        return done.jobs.length === submitted.length;
      });
      assert.deepEqual([...built].sort(), submitted.map((job) => job.id).sort());
      for (const consumer of consumers) await consumer.stop();
    });

    test('a job cancelled while waiting is never delivered', async (t) => {
      const { jobs, transport } = await factory(t);
      const [cancelled, kept] = await submitMany(jobs, 2);
      assert.equal((await jobs.cancel(cancelled?.id ?? '', alice)).status, 'CANCELLED');
      const worker = await record(await transport(), jobs, 'w1', 2);
      await waitFor('the kept job', () => worker.deliveries.length === 1);
      await sleep(SETTLE_MS);
      assert.deepEqual(worker.ids(), [kept?.id]);
      assert.equal((await jobs.get(cancelled?.id ?? ''))?.status, 'CANCELLED');
      await worker.consumer.stop();
    });

    test('setQueues: a queue added is consumed, a queue dropped is not, the slots stay shared', async (t) => {
      const { jobs, transport } = await factory(t);
      const worker = await record(await transport(), jobs, 'w1', 1);
      const [request] = await submitMany(jobs, 1, 'requests');
      await sleep(SETTLE_MS);
      assert.equal(worker.deliveries.length, 0, 'requests is not consumed yet');
      await worker.consumer.setQueues(['web', 'requests']);
      await waitFor('the job of the added queue', () => worker.deliveries.length === 1);
      assert.deepEqual(worker.ids(), [request?.id]);
      await worker.consumer.setQueues(['api']);
      const [dropped] = await submitMany(jobs, 1, 'web');
      const [kept] = await submitMany(jobs, 1, 'api');
      await sleep(SETTLE_MS);
      assert.equal(worker.deliveries.length, 1, 'one slot: nothing more until the ack');
      await finish(jobs, worker.deliveries[0] as Delivery);
      await waitFor('the job of the queue kept', () => worker.deliveries.length === 2);
      await sleep(SETTLE_MS);
      assert.deepEqual(worker.ids(), [request?.id, kept?.id]);
      assert.equal((await jobs.get(dropped?.id ?? ''))?.status, 'IN QUEUE');
      await worker.consumer.stop();
    });

    test('a stopped consumer takes no new jobs', async (t) => {
      const { jobs, transport } = await factory(t);
      const worker = await record(await transport(), jobs, 'w1', 1);
      await worker.consumer.stop();
      const [job] = await submitMany(jobs, 1);
      await sleep(SETTLE_MS);
      assert.equal(worker.deliveries.length, 0);
      assert.equal((await jobs.get(job?.id ?? ''))?.status, 'IN QUEUE');
    });
  });
}

// The worker with the real build child and the native builder, on the fastest type (fs): the path a submitted
// kickstart takes to an image, in-process on the embedded defaults and with two `imger worker` processes on
// RabbitMQ + PostgreSQL. Slow on a cold cache (mmdebstrap); a few seconds a build when warm.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultIdBase } from '../../../src/builder/sandbox.ts';
import { createJobService, createQueueCatalog, type Job } from '../../../src/service/jobs/index.ts';
import { createEmbeddedTransport } from '../../../src/service/queue/index.ts';
import { BUILD_CHILD, startWorker } from '../../../src/service/worker/index.ts';
import { tempDir, testDatabase } from '../helpers.ts';
import { alice, submission } from '../jobs/fixtures.ts';
import { cluster, rabbitSkip } from './cluster.ts';

const skip = process.getuid?.() === 0 ? false : 'the native builder runs as root';

test('a kickstart submitted as type fs becomes a root tarball through a worker and the native builder', {
  skip,
}, async (t) => {
  const stops: (() => Promise<void>)[] = [];
  t.after(async () => {
    for (const stop of stops) await stop();
  });
  const { db, dialect } = await testDatabase(t, 'sqlite');
  const jobs = createJobService({ db, dialect });
  const baseDir = tempDir(t);
  const transport = createEmbeddedTransport();
  const worker = await startWorker({
    jobs,
    transport,
    catalog: createQueueCatalog(db),
    queues: ['web'],
    slots: 1,
    settings: {
      baseDir,
      builder: 'native',
      micOpts: [],
      timeoutMs: 20 * 60_000,
      postCreation: '',
      heartbeatMs: 2000,
      killGraceMs: 5000,
      stopGraceMs: 30_000,
      buildEntry: BUILD_CHILD,
      upload: null,
      gpgKeyDir: '',
      sandboxIdBase: defaultIdBase,
    },
    onError: (error, context) => t.diagnostic(`${context}: ${error}`),
  });
  stops.push(worker.stop, transport.close);

  const submitted = await jobs.submit(submission({ queue: 'web', name: 'realfs', type: 'fs' }), alice);
  let job: Job = submitted;
  while (!['DONE', 'ERROR', 'CANCELLED'].includes(job.status)) {
    await sleep(500);
    job = (await jobs.get(submitted.id)) ?? job;
  }
  const folder = join(baseDir, 'web', 'alice', job.id);
  assert.equal(job.status, 'DONE', readFileSync(join(folder, 'realfs.log'), 'utf8').slice(-2000));
  const main = job.artifacts.find((artifact) => artifact.main);
  assert.equal(main?.name, 'realfs.tar.zst');
  const image = readFileSync(join(folder, 'realfs.tar.zst'));
  assert.equal(main?.size, image.length);
  assert.equal(main?.sha256, createHash('sha256').update(image).digest('hex'));
  assert.match(job.builtKickstart ?? '', /%packages/);
  assert.match(readFileSync(join(folder, 'realfs.log'), 'utf8'), /build succeeded in/);
  t.diagnostic(`submit → DONE in ${(Date.parse(job.finished ?? '') - Date.parse(job.created)) / 1000} s`);
});

test('two worker processes on RabbitMQ + PostgreSQL build real images, one job each', {
  skip: skip || rabbitSkip,
}, async (t) => {
  const { submit, startWorker, allFinished, baseDir } = await cluster(t, { transport: 'rabbitmq' });
  const workers = [startWorker(), startWorker()];
  const submitted = await submit(2);
  const finished = await allFinished(
    submitted.map((job) => job.id),
    20 * 60_000,
  );
  for (const job of finished) {
    const log = join(baseDir, job.queue, job.owner, job.id, `${job.name}.log`);
    assert.equal(job.status, 'DONE', readFileSync(log, 'utf8').slice(-2000));
    assert.ok(job.artifacts.some((artifact) => artifact.main && artifact.name === `${job.name}.tar.zst`));
  }
  for (const worker of workers) {
    assert.ok(
      finished.some((job) => job.worker?.startsWith(`${hostname()}-${worker.pid}-`)),
      'each worker process built one',
    );
  }
});

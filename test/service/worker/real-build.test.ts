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
import { ApiClient, type JobChange, type JobProgress } from '../../../src/client/api-client.ts';
import { loadConfig } from '../../../src/service/config/index.ts';
import type { Job } from '../../../src/service/jobs/index.ts';
import { serve } from '../../../src/service/serve.ts';
import { tempDir } from '../helpers.ts';
import { alice, submission } from '../jobs/fixtures.ts';
import { cluster, rabbitSkip } from './cluster.ts';
import { localWorkers } from './local-workers.ts';

const skip = process.getuid?.() === 0 ? false : 'the native builder runs as root';

test('a kickstart submitted as type fs becomes a root tarball through a worker and the native builder', {
  skip,
}, async (t) => {
  const { jobs, baseDir, start } = await localWorkers(t);
  await start({ queues: ['web'], settings: { timeoutMs: 20 * 60_000 } });

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
  assert.match(job.built_kickstart ?? '', /%packages/);
  assert.match(readFileSync(join(folder, 'realfs.log'), 'utf8'), /build succeeded in/);
  t.diagnostic(`submit → DONE in ${(Date.parse(job.finished ?? '') - Date.parse(job.created)) / 1000} s`);
});

test("a real build's progress is seen in order through GET /jobs/{id} and the event stream", {
  skip,
}, async (t) => {
  const dir = tempDir(t);
  const config = loadConfig({
    env: {
      IMG_DB_DATA_DIR: dir,
      IMG_WORKER_BASE_DIR: join(dir, 'images'),
      IMG_WEB_LISTEN: '127.0.0.1:0',
      IMG_WORKER_NUM_WORKERS: '1',
    },
    file: '/dev/null',
    warn: () => {},
  });
  const server = await serve(config, () => {}, { logger: false });
  t.after(() => server.stop());
  const { token } = await new ApiClient({ server: server.url }).login({
    username: 'imager',
    password: 'imager',
  });
  const client = new ApiClient({ server: server.url, token });

  // The event stream, read as any client reads it: `job` events with a JobChange as their data.
  const streamed: JobProgress[] = [];
  const stop = new AbortController();
  t.after(() => stop.abort());
  const events = await fetch(client.jobChangesUrl(), {
    headers: { authorization: `Bearer ${token}` },
    signal: stop.signal,
  });
  assert.equal(events.status, 200);
  let jobId = '';
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of events.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice(6))
          .join('\n');
        if (!block.startsWith('event: job') || data === '') continue;
        const change = JSON.parse(data) as JobChange;
        if (change.id === jobId && change.progress) streamed.push(change.progress);
      }
    }
  })().catch(() => {});

  const submitted = await client.submit({
    kickstart: readFileSync(join(import.meta.dirname, '../../../templates/debian-minimal.ks'), 'utf8'),
    type: 'fs',
    arch: 'x86_64',
    name: 'progress',
    queue: 'web',
  });
  jobId = submitted.id;
  const polled: JobProgress[] = [];
  let job = submitted;
  while (!['DONE', 'ERROR', 'CANCELLED'].includes(job.status)) {
    await sleep(200);
    job = await client.get(jobId);
    if (job.progress && JSON.stringify(job.progress) !== JSON.stringify(polled.at(-1)))
      polled.push(job.progress);
  }
  assert.equal(job.status, 'DONE', JSON.stringify(job.error));
  stop.abort();
  await reading;

  for (const [how, seen] of [
    ['GET /jobs/{id}', polled],
    ['the event stream', streamed],
  ] as const) {
    const steps = seen[0]?.steps ?? [];
    assert.ok(steps.length >= 5, `${how}: the build's steps, named (${steps.join(', ')})`);
    assert.ok(
      seen.every((progress) => JSON.stringify(progress.steps) === JSON.stringify(steps)),
      how,
    );
    const indexes = seen.map((progress) => progress.index);
    assert.deepEqual(
      indexes,
      [...indexes].sort((a, b) => a - b),
      `${how}: in order (${indexes.join(' ')})`,
    );
    assert.ok(new Set(indexes).size >= 2, `${how}: the steps moved (${indexes.join(' ')})`);
    for (const progress of seen) assert.equal(progress.steps[progress.index - 1], progress.step, how);
  }
  // The checksum step knows how many bytes it hashes: the job ends showing all of them, seen through both ways.
  for (const [how, last] of [
    ['GET /jobs/{id}', job.progress],
    ['the event stream', streamed.at(-1)],
  ] as const) {
    assert.equal(last?.step, 'checksum', how);
    assert.ok((last?.bytes?.total ?? 0) > 0, `${how}: ${JSON.stringify(last)}`);
    assert.equal(last?.bytes?.done, last?.bytes?.total, how);
  }
  // Every step reaches the stream: a new step is sent at once, not at the next beat.
  assert.deepEqual(
    [...new Set(streamed.map((progress) => progress.step))],
    streamed[0]?.steps,
    'the stream saw every step',
  );
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

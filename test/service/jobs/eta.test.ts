import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ActiveJob, type BuildSample, estimate } from '../../../src/service/jobs/eta.ts';

const now = Date.parse('2026-01-01T12:00:00Z');
const at = (seconds: number) => new Date(now + seconds * 1000).toISOString();
const sample = (seconds: number, over: Partial<BuildSample> = {}): BuildSample => ({
  queue: 'web',
  type: 'fs',
  arch: 'x86_64',
  seconds,
  ...over,
});
const job = (id: string, over: Partial<ActiveJob> = {}): ActiveJob => ({
  id,
  queue: 'web',
  type: 'fs',
  arch: 'x86_64',
  status: 'IN QUEUE',
  started: null,
  ...over,
});

test('waiting jobs start as the slots of their queue come free, each taking the median of similar builds', () => {
  const etas = estimate({
    now,
    samples: [sample(100), sample(120), sample(110), sample(900, { type: 'raw' })],
    jobs: [
      job('running', { status: 'BUILDING', started: now - 30_000 }),
      job('first'),
      job('second'),
      job('third'),
    ],
    slots: new Map([['web', 2]]),
  });
  assert.deepEqual(etas.get('running'), { start: null, end: at(80), build_seconds: 110, samples: 3 });
  // Two slots: one free now, one when the running build ends.
  assert.deepEqual(etas.get('first'), { start: at(0), end: at(110), build_seconds: 110, samples: 3 });
  assert.equal(etas.get('second')?.start, at(80));
  assert.equal(etas.get('third')?.start, at(110));
  assert.equal(etas.get('third')?.end, at(220));
});

test('similar means same queue, type and arch first, then looser, as far as samples allow', () => {
  const samples = [
    sample(60, { queue: 'api' }),
    sample(60, { queue: 'api' }),
    sample(60, { queue: 'api' }),
    sample(600, { type: 'raw' }),
  ];
  const etas = estimate({
    now,
    samples,
    jobs: [
      job('fs-web'),
      job('raw', { queue: 'other', type: 'raw' }),
      job('iso', { queue: 'third', type: 'iso' }),
    ],
    slots: new Map([
      ['web', 1],
      ['other', 1],
      ['third', 1],
    ]),
  });
  assert.equal(etas.get('fs-web')?.build_seconds, 60, 'same type and arch in another queue');
  // One raw build is too few for its own median: every build's is used.
  assert.equal(etas.get('raw')?.build_seconds, 60);
  assert.equal(etas.get('iso')?.samples, 4);
});

test('no estimate without a worker for the queue or without any finished build; an overrun ends now', () => {
  const noWorker = estimate({ now, samples: [sample(100)], jobs: [job('a')], slots: new Map() });
  assert.equal(noWorker.get('a'), undefined);
  const noHistory = estimate({ now, samples: [], jobs: [job('a')], slots: new Map([['web', 1]]) });
  assert.equal(noHistory.get('a'), undefined);
  const overrun = estimate({
    now,
    samples: [sample(100)],
    jobs: [job('slow', { status: 'BUILDING', started: now - 500_000 }), job('next')],
    slots: new Map([['web', 1]]),
  });
  assert.equal(overrun.get('slow')?.end, at(0));
  assert.equal(overrun.get('next')?.start, at(0));
});

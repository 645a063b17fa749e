import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobProgress } from '../../../src/contract/progress.ts';
import type { JobService } from '../../../src/service/jobs/index.ts';
import { startHeartbeat } from '../../../src/service/worker/heartbeat.ts';

const steps = ['resolve', 'bootstrap', 'packages'] as const;
const at = (index: number, done?: number): JobProgress => ({
  step: steps[index - 1]!,
  index,
  total: 3,
  steps: [...steps],
  step_started: '2026-01-01T00:00:00.000Z',
  ...(done === undefined ? {} : { packages: { done, total: 1000 } }),
});

test('every step is stored in order, even several during one slow beat; package counts are coalesced', async (t) => {
  const stored: (JobProgress | undefined)[] = [];
  const jobs = {
    // A database that takes 50 ms a write.
    heartbeat: async (_job: string, _worker: string, progress?: JobProgress) => {
      await sleep(50);
      stored.push(progress);
      return { cancelled: false };
    },
  } as unknown as JobService;
  const heartbeat = startHeartbeat({
    jobs,
    jobId: 'j',
    workerId: 'w',
    everyMs: 60_000,
    onCancelled: () => assert.fail('not cancelled'),
    onError: (error) => assert.fail(String(error)),
  });
  t.after(() => heartbeat.stop());
  heartbeat.progress(at(1));
  heartbeat.progress(at(2));
  for (let done = 1; done <= 500; done++) heartbeat.progress(at(3, done));
  await heartbeat.flush();
  const sent = stored.filter((progress) => progress !== undefined);
  assert.deepEqual(
    sent.map((progress) => progress.step),
    ['resolve', 'bootstrap', 'packages'],
  );
  assert.ok(stored.length <= 4, `${stored.length} writes for 502 reports`);
});

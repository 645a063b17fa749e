import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createEstimates } from '../../../src/service/jobs/estimates.ts';
import { createJobService } from '../../../src/service/jobs/index.ts';
import { createWorkerRegistry } from '../../../src/service/jobs/workers.ts';
import { databaseKinds, testDatabase } from '../helpers.ts';
import { alice, fakeClock, submission } from './fixtures.ts';

for (const kind of databaseKinds) {
  describe(`estimates on ${kind}`, () => {
    test('waiting jobs past the horizon of their queue get none, and the backlog beyond it is not read', async (t) => {
      const { db, dialect } = await testDatabase(t, kind);
      const clock = fakeClock();
      const jobs = createJobService({ db, dialect, now: clock.now });
      // One finished build of 60 s to go by, then five jobs waiting in the api queue.
      const done = await jobs.submit(submission({ queue: 'api' }), alice);
      await jobs.claim(['api'], 'w1');
      clock.advance(60_000);
      await jobs.finish(done.id, 'w1', { artifacts: [] });
      const waiting = [];
      for (let i = 0; i < 5; i++) waiting.push((await jobs.submit(submission({ queue: 'api' }), alice)).id);
      const registry = createWorkerRegistry(db, clock.now);
      await registry.beat({
        id: 'w1',
        host: 'h',
        slots: 1,
        busy: 0,
        queues: ['api'],
        version: '1',
        started: clock.now().toISOString(),
      });
      const live = await registry.overview(5_000);

      const within = await createEstimates(db, clock.now, 3)(live);
      assert.deepEqual(
        waiting.map((id) => within.has(id)),
        [true, true, true, false, false],
      );
      // The horizon changes nothing for the jobs inside it: one after another on the one slot, 60 s each.
      const all = await createEstimates(db, clock.now)(live);
      for (const id of waiting.slice(0, 3)) assert.deepEqual(within.get(id), all.get(id));
      assert.equal(all.size, 5);
      // Queues nobody builds are not read: no estimate there.
      assert.equal((await createEstimates(db, clock.now)({ ...live, queues: [] })).size, 0);
    });
  });
}

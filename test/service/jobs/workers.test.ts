import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createWorkerRegistry } from '../../../src/service/jobs/workers.ts';
import { databaseKinds, testDatabase } from '../helpers.ts';
import { fakeClock } from './fixtures.ts';

const worker = (id: string) => ({
  id,
  host: 'h',
  slots: 1,
  busy: 0,
  queues: ['api'],
  version: '1',
  started: '2026-01-01T00:00:00.000Z',
});

for (const kind of databaseKinds) {
  describe(`the worker registry on ${kind}`, () => {
    test('a worker that stops beating drops out of the lists after the timeout, and its row goes later', async (t) => {
      const { db } = await testDatabase(t, kind);
      const clock = fakeClock();
      const registry = createWorkerRegistry(db, clock.now);
      await registry.beat(worker('quiet'));
      clock.advance(4_000);
      await registry.beat(worker('chatty'));
      assert.deepEqual(
        (await registry.list(5_000)).map((w) => w.id),
        ['chatty', 'quiet'],
      );
      clock.advance(2_000);
      assert.deepEqual(
        (await registry.list(5_000)).map((w) => w.id),
        ['chatty'],
      );
      assert.deepEqual((await registry.queueStates(5_000)).find((q) => q.name === 'api')?.workers, [
        'chatty',
      ]);
      assert.equal((await db.selectFrom('workers').select('id').execute()).length, 2, 'kept a while');
      // Lists are reads: forgetting is done by a beat, a day on.
      clock.advance(24 * 3600 * 1000);
      await registry.list(5_000);
      assert.equal(
        (await db.selectFrom('workers').select('id').execute()).length,
        2,
        'a list writes nothing',
      );
      await registry.beat(worker('chatty'));
      assert.deepEqual(
        (await db.selectFrom('workers').select('id').execute()).map((row) => row.id),
        ['chatty'],
        'then the silent one is forgotten',
      );
    });

    test('a beat updates the worker in place', async (t) => {
      const { db } = await testDatabase(t, kind);
      const registry = createWorkerRegistry(db, fakeClock().now);
      await registry.beat(worker('w'));
      await registry.beat({ ...worker('w'), busy: 1, queues: ['api', 'web'] });
      const [listed] = await registry.list(5_000);
      assert.equal(listed?.busy, 1);
      assert.deepEqual(listed?.queues, ['api', 'web']);
    });
  });
}

// A prepared query binds each call's values as parameters: no value becomes SQL, whatever it holds, and a value
// named twice is bound twice.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Placeholder, prepareQuery } from '../../../src/service/db/prepared.ts';
import { databaseKinds, testDatabase } from '../helpers.ts';

for (const kind of databaseKinds) {
  describe(`prepared queries on ${kind}`, () => {
    test('each call binds its own values; SQL in a value stays a value', async (t) => {
      const { db } = await testDatabase(t, kind);
      const addQueue = prepareQuery((value: Placeholder<{ name: string; description: string }>) =>
        db
          .insertInto('queues')
          .values({ name: value('name'), description: value('description'), starts_builds: 0 }),
      );
      const queueNamed = prepareQuery((value: Placeholder<{ name: string }>) =>
        db
          .selectFrom('queues')
          .select(['name', 'description', 'starts_builds'])
          .where((eb) => eb.or([eb('name', '=', value('name')), eb('description', '=', value('name'))])),
      );
      const hostile = ["x'); drop table jobs; --", 'img-placeholder:name', '$1', '?', 'plain'];
      for (const name of hostile) await addQueue.execute(db, { name, description: `about ${name}` });
      for (const name of hostile) {
        assert.deepEqual((await queueNamed.execute(db, { name })).rows, [
          { name, description: `about ${name}`, starts_builds: 0 },
        ]);
        assert.deepEqual((await queueNamed.execute(db, { name: `about ${name}` })).rows.length, 1);
      }
      assert.deepEqual((await queueNamed.execute(db, { name: 'none' })).rows, []);
      // The jobs table is still there, and the queues table has the migration's three and these.
      await db.selectFrom('jobs').select('id').execute();
      assert.equal((await db.selectFrom('queues').select('name').execute()).length, 3 + hostile.length);
    });
  });
}

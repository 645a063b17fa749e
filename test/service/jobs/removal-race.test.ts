// A job pinned by someone else while a delete of it is under way: the pin wins, the job and its files stay.
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { KyselyPlugin, PluginTransformResultArgs } from 'kysely';
import { ServiceError } from '../../../src/service/errors.ts';
import { createJobService } from '../../../src/service/jobs/service.ts';
import { databaseKinds, testDatabase } from '../helpers.ts';
import { admin, alice, submission } from './fixtures.ts';

/** Runs `meanwhile` once, after the next read of a job row has been answered and before the caller sees it. */
function afterNextJobRead(meanwhile: () => Promise<unknown>) {
  const state = { armed: false, ran: false };
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    async transformResult({ result }: PluginTransformResultArgs) {
      const row = result.rows[0] as { pinned?: unknown } | undefined;
      if (state.armed && row && 'pinned' in row) {
        state.armed = false;
        await meanwhile();
        state.ran = true;
      }
      return result;
    },
  };
  return {
    plugin,
    arm: () => {
      state.armed = true;
    },
    ran: () => state.ran,
  };
}

async function doneJob(t: TestContext, kind: (typeof databaseKinds)[number]) {
  const database = await testDatabase(t, kind);
  const other = createJobService(await database.connectAgain());
  const pinLater = afterNextJobRead(() => other.update(job.id, { pinned: true }, admin));
  const jobs = createJobService({ ...database, db: database.db.withPlugin(pinLater.plugin) });
  const job = await jobs.submit(submission({ name: 'kept' }), alice);
  await jobs.claimById(job.id, 'w1');
  await jobs.finish(job.id, 'w1', { artifacts: [] });
  return { jobs, job, arm: pinLater.arm, ran: pinLater.ran };
}

for (const kind of databaseKinds) {
  test(`a job pinned while its delete is under way is not deleted (${kind})`, async (t) => {
    const { jobs, job, arm, ran } = await doneJob(t, kind);
    arm();
    const removal = jobs.remove(job.id, alice);
    await assert.rejects(removal, (error: unknown) => error instanceof ServiceError);
    assert.ok(ran(), 'the pin came in between the check and the delete');

    const kept = await jobs.get(job.id);
    assert.equal(kept?.pinned, true, 'the pin that came in between holds');
  });
}

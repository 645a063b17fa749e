import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createJobChangeFeed,
  createJobService,
  type JobChange,
  type JobService,
} from '../../../src/service/jobs/index.ts';
import { databaseKinds, testDatabase } from '../helpers.ts';
import { alice, submission } from './fixtures.ts';

const POLL_MS = 20;

/** Every change goes to `all`; `next` finds one. */
function listener(all: JobChange[] = []) {
  const waiting: { wanted: (change: JobChange) => boolean; resolve: (change: JobChange) => void }[] = [];
  return {
    all,
    hear(change: JobChange) {
      all.push(change);
      for (const wait of waiting.splice(0)) {
        if (wait.wanted(change)) wait.resolve(change);
        else waiting.push(wait);
      }
    },
    /** The first change `wanted` accepts, heard already or to come: a poll may deliver it before the caller asks. */
    next(wanted: (change: JobChange) => boolean): Promise<JobChange> {
      const heard = all.find(wanted);
      if (heard) return Promise.resolve(heard);
      return new Promise((resolve) => waiting.push({ wanted, resolve }));
    },
  };
}

for (const kind of databaseKinds) {
  describe(`the job change feed on ${kind}`, () => {
    test('polls only while someone listens, and every listener hears the same', async (t) => {
      const database = await testDatabase(t, kind);
      const jobs = createJobService(database);
      let polls = 0;
      const counted: JobService = {
        ...jobs,
        changedSince: (since) => {
          polls++;
          return jobs.changedSince(since);
        },
      };
      const errors: unknown[] = [];
      const feed = createJobChangeFeed(counted, { pollMs: POLL_MS, onError: (error) => errors.push(error) });
      await sleep(POLL_MS * 5);
      assert.equal(polls, 0, 'nobody listens yet');

      const other = createJobService(await database.connectAgain());
      const first = listener();
      const second = listener();
      const unsubscribe = [await feed.subscribe(first.hear), await feed.subscribe(second.hear)];
      const job = await other.submit(submission(), alice);
      await Promise.all([first.next((c) => c.id === job.id), second.next((c) => c.id === job.id)]);
      const pollsWhileListening = polls;
      await sleep(POLL_MS * 5);
      assert.ok(polls > pollsWhileListening, 'it keeps polling while anyone listens');

      for (const off of unsubscribe) off();
      await sleep(POLL_MS * 2);
      const pollsAtEnd = polls;
      await sleep(POLL_MS * 5);
      assert.equal(polls, pollsAtEnd, 'it stops when the last listener goes');
      assert.deepEqual(errors, []);
      assert.deepEqual(first.all, second.all, 'every listener hears the same');
    });

    test('a change stamped before the newest one read still arrives (a late commit), once', async (t) => {
      const database = await testDatabase(t, kind);
      const jobs = createJobService(database);
      const other = createJobService(await database.connectAgain());
      const late = await other.submit(submission({ name: 'late' }), alice);
      const feed = createJobChangeFeed(jobs, {
        pollMs: POLL_MS,
        onError: (error) => assert.fail(String(error)),
      });
      const heard = listener();
      const unsubscribe = await feed.subscribe(heard.hear);

      const newest = await other.submit(submission({ name: 'newest' }), alice);
      await heard.next((change) => change.id === newest.id);
      const earlier = new Date(Date.parse(newest.updated) - 1000).toISOString();
      await database.db.updateTable('jobs').set({ updated: earlier }).where('id', '=', late.id).execute();
      const change = await heard.next((change) => change.id === late.id);
      assert.equal(change.updated, earlier);
      await sleep(POLL_MS * 5);
      assert.deepEqual(
        heard.all.map((change) => change.id),
        [newest.id, late.id],
        'what was there before anyone listened is not news, and nothing comes twice',
      );
      unsubscribe();
    });
  });
}

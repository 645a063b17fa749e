import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { localJobFolder as jobFolder } from '../../../src/service/jobs/artifact-store.ts';
import { createLocalArtifactStore, deleteExpiredJobs } from '../../../src/service/jobs/index.ts';
import { databaseKinds, tempDir } from '../helpers.ts';
import { alice, fakeClock, jobService, submission } from './fixtures.ts';

const DAY = 24 * 60 * 60 * 1000;

for (const kind of databaseKinds) {
  describe(`retention on ${kind}`, () => {
    test('deletes finished, unpinned jobs older than max_age_days, with their folders', async (t) => {
      const clock = fakeClock();
      const jobs = await jobService(t, kind, clock);
      const baseDir = join(tempDir(t), 'images');
      const old = await jobs.submit(submission(), alice);
      const pinned = await jobs.submit(submission({ pinned: true }), alice);
      const waiting = await jobs.submit(submission(), alice);
      await jobs.cancel(old.id, alice);
      await jobs.cancel(pinned.id, alice);
      mkdirSync(jobFolder(baseDir, old), { recursive: true });
      clock.advance(10 * DAY);
      const recent = await jobs.submit(submission(), alice);
      await jobs.cancel(recent.id, alice);

      assert.equal(await deleteExpiredJobs(jobs, createLocalArtifactStore(baseDir), 0, clock.now()), 0);
      assert.equal(await deleteExpiredJobs(jobs, createLocalArtifactStore(baseDir), 7, clock.now()), 1);
      assert.equal(await jobs.get(old.id), null);
      assert.equal(existsSync(jobFolder(baseDir, old)), false);
      for (const kept of [pinned, waiting, recent]) assert.ok(await jobs.get(kept.id));
    });
  });
}

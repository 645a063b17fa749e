// "Edit and resubmit": the Submit form filled from a job sends that job's inputs again, unchanged until edited.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NO_STANDING, presentJob } from '../../src/service/api/present.ts';
import { createJobService } from '../../src/service/jobs/index.ts';
import { draftFromJob, submitJson } from '../../src/web/pages/submit/draft.ts';
import { testDatabase } from '../service/helpers.ts';
import { alice } from '../service/jobs/fixtures.ts';

test('a job’s draft submits the same kickstart, type, arch, name, tokens, extras and tags, not pinned or fresh', async (t) => {
  const { db, dialect } = await testDatabase(t, 'sqlite');
  const jobs = createJobService({ db, dialect });
  const kickstart = 'rootpw @PW@\n%packages\nbash\n%end\n';
  const stored = await jobs.submit(
    {
      kickstart,
      type: 'fs',
      arch: 'x86_64',
      name: 'nightly',
      queue: 'web',
      tokenmap: 'PW:a:b,RELEASE:2',
      extraRepos: ['http://deb.example/debian'],
      packages: ['vim', '-nano'],
      tags: ['x', 'y'],
      pinned: true,
      fresh: true,
    },
    alice,
  );
  const draft = draftFromJob(presentJob(stored, NO_STANDING));
  assert.deepEqual(draft.tokens, { PW: 'a:b' });
  assert.equal(draft.otherTokens, 'RELEASE:2');
  assert.deepEqual(submitJson(draft), {
    kickstart,
    type: 'fs',
    arch: 'x86_64',
    queue: 'web',
    name: 'nightly',
    tokenmap: 'PW:a:b,RELEASE:2',
    extra_repos: ['http://deb.example/debian'],
    packages: ['vim', '-nano'],
    tags: ['x', 'y'],
    pinned: false,
  });
});

// Identical builds built once: the worker resolves each job's build key before its build and shares the files
// of a DONE job with that key, or waits for a running one. The builds are the worker tests' stand-in (it writes
// "image of JOB" as its image); the key is the real one, over a local apt archive whose InRelease the test owns.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createLocalArtifactStore,
  type Job,
  type JobService,
  removeJobAndFiles,
} from '../../../src/service/jobs/index.ts';
import type { WorkerSettings } from '../../../src/service/worker/index.ts';
import type { JobLog } from '../../../src/service/worker/job-log.ts';
import { planBuild } from '../../../src/service/worker/reuse.ts';
import { tempDir, type testDatabase } from '../helpers.ts';
import { alice, bob, submission } from '../jobs/fixtures.ts';
import { localWorkers } from './local-workers.ts';
import { testSettings } from './settings.ts';

const standIn = fileURLToPath(new URL('./fixtures/stand-in-build.ts', import.meta.url));

interface Setup {
  jobs: JobService;
  db: Awaited<ReturnType<typeof testDatabase>>['db'];
  baseDir: string;
  /** The local archive's InRelease: rewriting it is a new state of the archive. */
  release: string;
  kickstart: string;
}

async function setup(
  t: TestContext,
  buildMs: number,
  slots = 1,
  settings: Partial<WorkerSettings> = {},
): Promise<Setup> {
  process.env.IMG_TEST_BUILD_MS = String(buildMs);
  const { jobs, db, baseDir, start } = await localWorkers(t);
  const archive = tempDir(t);
  mkdirSync(join(archive, 'dists', 'bookworm'), { recursive: true });
  const release = join(archive, 'dists', 'bookworm', 'InRelease');
  writeFileSync(release, 'Suite: bookworm\n');
  await start({ slots, settings: { heartbeatMs: 200, buildEntry: standIn, reuse: true, ...settings } });
  const kickstart = `repo --name=local --baseurl=${pathToFileURL(archive).href} --suite=bookworm\nrootpw secret\n%packages\nbash\n%end\n`;
  return { jobs, db, baseDir, release, kickstart };
}

async function ended(jobs: JobService, id: string): Promise<Job> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const job = await jobs.get(id);
    if (job && ['DONE', 'ERROR', 'CANCELLED'].includes(job.status)) return job;
    if (Date.now() > deadline) assert.fail(`job ${id} is still ${job?.status}`);
    await sleep(25);
  }
}

const folderOf = (baseDir: string, job: Job) => join(baseDir, job.queue, job.owner, job.id);
const logOf = (baseDir: string, job: Job) =>
  readFileSync(join(folderOf(baseDir, job), `${job.name}.log`), 'utf8');
const image = (baseDir: string, job: Job) => join(folderOf(baseDir, job), `${job.name}.img`);

test('an identical resubmission is DONE with the first job’s files, shared on disk, without a build', async (t) => {
  const { jobs, baseDir, kickstart } = await setup(t, 300);
  const first = await ended(jobs, (await jobs.submit(submission({ kickstart }), alice)).id);
  assert.equal(first.status, 'DONE');
  assert.match(first.build_key ?? '', /^[0-9a-f]{64}$/);
  // Another user, another queue, another e-mail: none of these reach the image.
  const again = await ended(jobs, (await jobs.submit(submission({ kickstart, queue: 'web' }), bob)).id);
  assert.equal(again.status, 'DONE');
  assert.equal(again.reused_from, first.id);
  assert.equal(again.build_key, first.build_key);
  // The first job's image, the very file (one inode), and no build ran for the second.
  assert.equal(readFileSync(image(baseDir, again), 'utf8'), `image of ${first.id}\n`);
  assert.equal(statSync(image(baseDir, again)).ino, statSync(image(baseDir, first)).ino);
  const log = logOf(baseDir, again);
  assert.match(log, new RegExp(`job ${first.id} built this image`));
  assert.doesNotMatch(log, /grandchild|tick/);
  const names = (job: Job) =>
    job.artifacts.map((artifact) => [artifact.name, artifact.sha256, artifact.main]);
  assert.deepEqual(
    names(again).filter(([name]) => name !== 'test.log'),
    names(first).filter(([name]) => name !== 'test.log'),
  );
  assert.ok(
    again.artifacts.some((artifact) => artifact.name === 'test.log'),
    'its own log is one of its files',
  );

  // Deleting the original keeps the reuser's files whole.
  await removeJobAndFiles(jobs, createLocalArtifactStore(baseDir), first.id, alice);
  assert.equal(readFileSync(image(baseDir, again), 'utf8'), `image of ${first.id}\n`);
  // And a third identical job now shares the reuser's copy.
  const third = await ended(jobs, (await jobs.submit(submission({ kickstart }), alice)).id);
  assert.equal(third.reused_from, again.id);
});

test('a changed source, a token or a forced fresh build builds again', async (t) => {
  const { jobs, baseDir, release, kickstart } = await setup(t, 200);
  const first = await ended(jobs, (await jobs.submit(submission({ kickstart }), alice)).id);
  const fresh = await ended(jobs, (await jobs.submit(submission({ kickstart, fresh: true }), alice)).id);
  assert.equal(fresh.status, 'DONE');
  assert.equal(fresh.reused_from, null);
  assert.equal(fresh.fresh, true);
  assert.equal(fresh.build_key, first.build_key);
  assert.equal(readFileSync(image(baseDir, fresh), 'utf8'), `image of ${fresh.id}\n`);
  const token = await ended(
    jobs,
    (await jobs.submit(submission({ kickstart, tokenmap: 'RELEASE:2' }), alice)).id,
  );
  assert.equal(token.reused_from, null);
  assert.notEqual(token.build_key, first.build_key);
  writeFileSync(release, 'Suite: bookworm\nDate: a day later\n');
  const updated = await ended(jobs, (await jobs.submit(submission({ kickstart }), alice)).id);
  assert.equal(updated.reused_from, null);
  assert.notEqual(updated.build_key, first.build_key);
  assert.equal(readFileSync(image(baseDir, updated), 'utf8'), `image of ${updated.id}\n`);
});

test('an identical job submitted while the first builds waits for it and ends with its files, unbuilt', async (t) => {
  const { jobs, baseDir, kickstart } = await setup(t, 2500, 2);
  const first = await jobs.submit(submission({ kickstart }), alice);
  const second = await jobs.submit(submission({ kickstart }), alice);
  const one = await ended(jobs, first.id);
  const other = await ended(jobs, second.id);
  // Both start at once on the two slots: whichever claims the key first builds, the other waits.
  const [a, b] = one.reused_from === null ? [one, other] : [other, one];
  assert.equal(a.status, 'DONE');
  assert.equal(b.status, 'DONE');
  assert.equal(a.reused_from, null);
  assert.equal(b.reused_from, a.id);
  assert.match(logOf(baseDir, b), new RegExp(`job ${a.id} is building the same image`));
  // One build child, one bootstrap: the second never started its own.
  assert.doesNotMatch(logOf(baseDir, b), /grandchild|bootstrap/);
  assert.equal(statSync(image(baseDir, b)).ino, statSync(image(baseDir, a)).ino);
});

/** Two identical jobs started at once: whichever claimed the key builds, the other waits for it. */
async function oneWaits(baseDir: string, one: Job, other: Job): Promise<{ builder: Job; waiter: Job }> {
  const waiting = (job: Job) => {
    try {
      return logOf(baseDir, job).includes('is building the same image');
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (waiting(one)) return { builder: other, waiter: one };
    if (waiting(other)) return { builder: one, waiter: other };
    assert.ok(Date.now() < deadline, 'one of two identical jobs waits for the other within 20 s');
    await sleep(25);
  }
}

test('a job waiting for an identical build that is cancelled builds itself', async (t) => {
  const { jobs, baseDir, kickstart } = await setup(t, 2500, 2);
  const { builder, waiter } = await oneWaits(
    baseDir,
    await jobs.submit(submission({ kickstart }), alice),
    await jobs.submit(submission({ kickstart }), alice),
  );
  await jobs.cancel(builder.id, alice);
  assert.equal((await ended(jobs, builder.id)).status, 'CANCELLED');
  const b = await ended(jobs, waiter.id);
  assert.equal(b.status, 'DONE');
  assert.equal(b.reused_from, null);
  assert.equal(readFileSync(image(baseDir, b), 'utf8'), `image of ${b.id}\n`);
});

test('a job waiting for an identical build whose worker was lost (back IN QUEUE) builds itself', async (t) => {
  const { jobs, db, baseDir, kickstart } = await setup(t, 4000, 2);
  const { builder: first, waiter: second } = await oneWaits(
    baseDir,
    await jobs.submit(submission({ kickstart }), alice),
    await jobs.submit(submission({ kickstart }), bob),
  );
  // What the server's requeue of a silent worker's job does to its row, into a queue no worker serves here: the
  // waiting job must not hold its slot for a build that cannot start.
  await db
    .updateTable('jobs')
    .set({ status: 'IN QUEUE', queue: 'requests', worker: null, started: null, heartbeat: null })
    .where('id', '=', first.id)
    .execute();
  const b = await ended(jobs, second.id);
  assert.equal(b.status, 'DONE');
  assert.equal(b.reused_from, null);
  assert.equal(readFileSync(image(baseDir, b), 'utf8'), `image of ${b.id}\n`);
  assert.match(logOf(baseDir, b), new RegExp(`job ${first.id} is IN QUEUE, not DONE`));
  assert.equal((await jobs.get(first.id))?.status, 'IN QUEUE');
});

test('a worker with a post_creation hook builds every job: the hook shapes each job’s files and runs for each', async (t) => {
  // The hook stamps the image with its job: what another job's files hold is that job's stamp, not this one's.
  const hook = join(tempDir(t), 'stamp.sh');
  writeFileSync(hook, '#!/bin/sh\n[ -n "$4" ] && echo "stamped for $1" >> "$4"\nexit 0\n', { mode: 0o755 });
  const { jobs, baseDir, kickstart } = await setup(t, 100, 1, { postCreation: hook });
  const first = await ended(jobs, (await jobs.submit(submission({ kickstart }), alice)).id);
  assert.equal(first.status, 'DONE');
  const again = await ended(jobs, (await jobs.submit(submission({ kickstart }), bob)).id);
  assert.equal(again.status, 'DONE');
  assert.equal(again.reused_from, null);
  assert.match(readFileSync(image(baseDir, again), 'utf8'), new RegExp(`stamped for ${again.id}`));
  assert.doesNotMatch(readFileSync(image(baseDir, again), 'utf8'), new RegExp(first.id));
});

test('an origin whose files vanish while they are linked (its owner deletes it) leaves the job to build, not to fail', async (t) => {
  const { jobs, kickstart } = await setup(t, 100);
  const origin = await ended(jobs, (await jobs.submit(submission({ kickstart }), alice)).id);
  const job = { ...origin, id: '01ZZZZZZZZZZZZZZZZZZZZZZZZ', owner: 'bob', fresh: false };
  const lines: string[] = [];
  const gone = Object.assign(new Error(`ENOENT: no such file or directory, link '${origin.name}.img'`), {
    code: 'ENOENT',
  });
  const plan = await planBuild(
    {
      jobs: {
        ...jobs,
        doneWithKey: async () => [origin],
        claimBuildKey: async () => ({ building: null }),
      },
      files: {
        ...createLocalArtifactStore(tempDir(t)),
        share: async () => {
          throw gone;
        },
      },
      workerId: 'w9',
      settings: testSettings({ baseDir: tempDir(t), reuse: true }),
      log: { line: (text: string) => lines.push(text) } as unknown as JobLog,
      signal: new AbortController().signal,
    },
    job,
  );
  assert.deepEqual(plan, { kind: 'build', key: origin.build_key });
  assert.ok(
    lines.some((line) => line.includes(`job ${origin.id}`) && line.includes('ENOENT')),
    lines.join('\n'),
  );
});

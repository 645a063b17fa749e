import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { failure } from '../../../src/contract/failure.ts';
import type { JobProgress } from '../../../src/contract/progress.ts';
import { ServiceError } from '../../../src/service/errors.ts';
import {
  canMove,
  createJobService,
  JOB_STATUSES,
  type JobService,
  type JobStatus,
} from '../../../src/service/jobs/index.ts';
import { databaseKinds, testDatabase } from '../helpers.ts';
import { admin, alice, bob, fakeClock, jobService, submission } from './fixtures.ts';

function rejectsWith(code: string) {
  return (error: unknown) => error instanceof ServiceError && error.code === code;
}

test('the transition table allows exactly the moves of the lifecycle', () => {
  const legal = new Set([
    'IN QUEUE>BUILDING',
    'IN QUEUE>CANCELLED',
    'IN QUEUE>ERROR',
    'BUILDING>DONE',
    'BUILDING>ERROR',
    'BUILDING>CANCELLED',
    'BUILDING>IN QUEUE',
  ]);
  for (const from of JOB_STATUSES) {
    for (const to of JOB_STATUSES) {
      assert.equal(
        canMove(from as JobStatus, to as JobStatus),
        legal.has(`${from}>${to}`),
        `${from} → ${to}`,
      );
    }
  }
});

for (const kind of databaseKinds) {
  describe(`jobs on ${kind}`, () => {
    test('submit stores the job IN QUEUE with its inputs', async (t) => {
      const jobs = await jobService(t, kind);
      const queued: string[] = [];
      jobs.events.on('job:queued', ({ job }) => queued.push(job.id));
      const job = await jobs.submit(submission({ tags: ['a tag', 'a tag'], tokenmap: 'RELEASE:1' }), alice);
      assert.equal(job.status, 'IN QUEUE');
      assert.equal(job.owner, 'alice');
      assert.equal(job.queue, 'api');
      assert.deepEqual(job.tags, ['a_tag']);
      assert.equal(job.tokenmap, 'RELEASE:1');
      assert.deepEqual(queued, [job.id]);
      const { queuePosition, ...stored } = job;
      assert.equal(queuePosition, 1);
      assert.deepEqual(await jobs.get(job.id), stored);
    });

    test('a submission gets its queue position, by any process, at once or at the same time as others', async (t) => {
      const database = await testDatabase(t, kind);
      const here = createJobService(database);
      const there = createJobService(await database.connectAgain());
      await here.submit(submission({ queue: 'web' }), alice);
      await here.claim(['web'], 'w1');
      const one = async (i: number) => (i % 2 ? here : there).submit(submission({ queue: 'web' }), alice);
      const inTurn = [];
      for (let i = 0; i < 6; i++) inTurn.push(await one(i));
      assert.deepEqual(
        inTurn.map((job) => job.queuePosition),
        [1, 2, 3, 4, 5, 6],
      );
      await here.submit(submission({ queue: 'api' }), alice);
      // At the same time: each gets its place when it was stored; one stored later with an earlier id (the ids
      // are taken before the transactions run) can only put it further back.
      const together = await Promise.all(Array.from({ length: 12 }, (_, i) => one(i)));
      for (const job of together) {
        assert.ok(job.queuePosition > 6, `${job.queuePosition} is behind those stored before`);
        assert.ok(job.queuePosition <= ((await here.queuePosition(job.id)) ?? 0));
      }
      // A burst from one process into an empty queue: each is told its own place, as a batch script expects.
      const burst = await Promise.all(
        Array.from({ length: 12 }, () => here.submit(submission({ queue: 'api' }), alice)),
      );
      assert.deepEqual(
        burst.map((job) => job.queuePosition).sort((a, b) => a - b),
        Array.from({ length: 12 }, (_, i) => i + 2),
      );
    });

    test('a burst of submissions is stored in one transaction, each job told its own place', async (t) => {
      const database = await testDatabase(t, kind);
      let transactions = 0;
      const begin = database.db.transaction.bind(database.db);
      database.db.transaction = () => {
        transactions += 1;
        return begin();
      };
      const jobs = createJobService(database);
      const burst = await Promise.all(
        Array.from({ length: 8 }, () => jobs.submit(submission({ queue: 'api' }), alice)),
      );
      // In the order their ids were given, which on PostgreSQL is the order its first reads answered in.
      assert.deepEqual(
        burst.map((job) => job.queuePosition).sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6, 7, 8],
      );
      // On PostgreSQL the queue's reads answer one by one: the first alone, the rest in a group or more.
      if (kind === 'sqlite') assert.equal(transactions, 1);
      else assert.ok(transactions >= 1 && transactions < 7, `${transactions} transactions for 8 jobs`);
    });

    test('the counts /metrics reads follow every change, by any process, as a full count finds them', async (t) => {
      const database = await testDatabase(t, kind);
      const { db } = database;
      const here = createJobService(database);
      const there = createJobService(await database.connectAgain());
      const recount = async () => {
        const rows = await db
          .selectFrom('jobs')
          .select((eb) => ['queue', 'status', eb.fn.countAll<number | string>().as('count')])
          .groupBy(['queue', 'status'])
          .execute();
        const bytes = await db
          .selectFrom('artifacts')
          .innerJoin('jobs', 'jobs.id', 'artifacts.job_id')
          .select((eb) => ['jobs.queue', eb.fn.sum<number | string>('artifacts.size').as('bytes')])
          .groupBy('jobs.queue')
          .execute();
        return {
          counts: rows.map((row) => `${row.queue}/${row.status}=${row.count}`).sort(),
          bytes: bytes.map((row) => `${row.queue}=${Number(row.bytes)}`).sort(),
        };
      };
      const counted = async () => {
        const stats = await here.stats();
        return {
          counts: stats.counts
            .filter((row) => row.count > 0)
            .map((row) => `${row.queue}/${row.status}=${row.count}`),
          bytes: stats.bytes.filter((row) => row.bytes > 0).map((row) => `${row.queue}=${row.bytes}`),
        };
      };
      const artifact = (name: string, size: number) => ({ name, size, sha256: '0'.repeat(64), main: false });
      const steps: [string, () => Promise<unknown>][] = [
        [
          'submit',
          () => Promise.all([0, 1, 2, 3].map((i) => (i % 2 ? here : there).submit(submission(), alice))),
        ],
        ['submit to web', () => there.submit(submission({ queue: 'web' }), bob)],
        ['claim', () => Promise.all([here.claim(['api'], 'w1'), there.claim(['api', 'web'], 'w2')])],
        [
          'finish with artifacts',
          () => there.finish(idOf('w1'), 'w1', { artifacts: [artifact('a', 7), artifact('b', 5)] }),
        ],
        ['cancel a waiting job', async () => here.cancel((await waiting('api'))[0] ?? '', alice)],
        ['requeue a silent one', () => here.requeueStale(0)],
        [
          'claim and fail',
          async () =>
            there.fail((await there.claim(['api'], 'w3'))?.id ?? '', 'w3', failure('internal', 'y')),
        ],
        ['delete a finished job with its artifacts', async () => here.remove(doneId, admin)],
      ];
      const built = new Map<string, string>();
      let doneId = '';
      const idOf = (worker: string) => built.get(worker) ?? '';
      const waiting = async (queue: string) =>
        (await here.list({ queue, status: 'IN QUEUE' }, { limit: 50 })).jobs.map((job) => job.id);
      for (const [step, run] of steps) {
        await run();
        for (const job of (await here.list({ status: 'BUILDING' }, { limit: 50 })).jobs)
          built.set(job.worker ?? '', job.id);
        doneId ||= (await here.list({ status: 'DONE' }, { limit: 1 })).jobs[0]?.id ?? '';
        assert.deepEqual(await counted(), await recount(), `after ${step}`);
      }
    });

    test('a file shared by reuse counts once in the bytes, and goes on counting when its maker is deleted', async (t) => {
      const jobs = await jobService(t, kind);
      const bytes = async () => (await jobs.stats()).bytes.reduce((sum, row) => sum + row.bytes, 0);
      const file = (name: string, size: number) => ({ name, size, sha256: name.repeat(64), main: false });
      const key = 'f'.repeat(64);
      const build = async (result: Parameters<JobService['finish']>[2]) => {
        const { id } = await jobs.submit(submission(), alice);
        await jobs.claim(['api'], 'w');
        return jobs.finish(id, 'w', result);
      };
      const maker = await build({ artifacts: [file('a', 7), file('b', 5)], buildKey: key });
      const sharer = await build({
        artifacts: [file('a', 7), file('b', 5), file('c', 3)],
        buildKey: key,
        reusedFrom: maker.id,
        shared: ['a', 'b'],
      });
      assert.equal(sharer.reused_from, maker.id);
      assert.equal(await bytes(), 15);
      await jobs.remove(maker.id, alice);
      assert.equal(await bytes(), 15, 'the sharer holds a and b now');
      await jobs.remove(sharer.id, alice);
      assert.equal(await bytes(), 0);
    });

    test('a shared file whose maker was deleted before the sharer stored its end is counted by the sharer', async (t) => {
      const jobs = await jobService(t, kind);
      const bytes = async () => (await jobs.stats()).bytes.reduce((sum, row) => sum + row.bytes, 0);
      const file = (name: string, size: number) => ({ name, size, sha256: name.repeat(64), main: false });
      const key = 'd'.repeat(64);
      const { id: makerId } = await jobs.submit(submission(), alice);
      await jobs.claim(['api'], 'w');
      const maker = await jobs.finish(makerId, 'w', { artifacts: [file('a', 7)], buildKey: key });
      const { id: sharerId } = await jobs.submit(submission(), bob);
      await jobs.claim(['api'], 'w');
      // The sharer linked the maker's files; its owner deletes the maker before the sharer's end is stored.
      await jobs.remove(maker.id, alice);
      await jobs.finish(sharerId, 'w', {
        artifacts: [file('a', 7), file('c', 3)],
        buildKey: key,
        reusedFrom: maker.id,
        shared: ['a'],
      });
      assert.equal(await bytes(), 10, 'the file on disk is counted by the one job that holds it');
    });

    test('of identical jobs building, the first to store its key builds and the others learn whom to wait for', async (t) => {
      const jobs = await jobService(t, kind);
      const key = 'e'.repeat(64);
      const ids = [];
      for (const fresh of [false, false, true]) {
        const { id } = await jobs.submit(submission({ fresh }), alice);
        await jobs.claim(['api'], `w-${id}`);
        ids.push(id);
      }
      const [first = '', second = '', forced = ''] = ids;
      // Claimed at the same time: exactly one of the two stores its key.
      const answers = await Promise.all([
        jobs.claimBuildKey(first, `w-${first}`, key),
        jobs.claimBuildKey(second, `w-${second}`, key),
      ]);
      const builders = answers.filter((answer) => answer.building === null);
      assert.equal(builders.length, 1);
      const builder = answers[0]?.building === null ? first : second;
      assert.deepEqual(
        answers.map((answer) => answer.building),
        builder === first ? [null, first] : [second, null],
      );
      // A fresh build stores its key whatever builds; it is not another's to claim.
      assert.deepEqual(await jobs.claimBuildKey(forced, `w-${forced}`, key), { building: null });
      await assert.rejects(jobs.claimBuildKey(first, 'someone-else', key), rejectsWith('conflict'));
      assert.deepEqual(await jobs.doneWithKey(key), []);
      await jobs.finish(builder, `w-${builder}`, { artifacts: [], buildKey: key });
      assert.deepEqual(
        (await jobs.doneWithKey(key)).map((job) => job.id),
        [builder],
      );
    });

    test('a retry links to the job it retries', async (t) => {
      const jobs = await jobService(t, kind);
      const { id } = await jobs.submit(submission({ fresh: true }), alice);
      await jobs.cancel(id, alice);
      const retried = await jobs.retry(id, alice);
      assert.equal(retried.retry_of, id);
      assert.equal(retried.fresh, true, 'the same inputs, a fresh build asked for included');
      assert.equal((await jobs.get(retried.id))?.retry_of, id);
    });

    test('submit refuses an invalid kickstart with its lines, and bad types, arches, names and queues', async (t) => {
      const jobs = await jobService(t, kind);
      await assert.rejects(
        jobs.submit(submission({ kickstart: 'lang en_US\npart / --size big\n' }), alice),
        (error) => {
          assert.ok(error instanceof ServiceError && error.code === 'invalid-kickstart');
          const { errors } = error.details as { errors: { line: number }[] };
          assert.equal(errors[0]?.line, 2);
          return true;
        },
      );
      await assert.rejects(jobs.submit(submission({ type: 'floppy' }), alice), rejectsWith('bad-request'));
      await assert.rejects(jobs.submit(submission({ arch: 'sparc' }), alice), rejectsWith('bad-request'));
      await assert.rejects(jobs.submit(submission({ name: '../etc' }), alice), rejectsWith('bad-request'));
      await assert.rejects(jobs.submit(submission({ queue: 'nope' }), alice), rejectsWith('bad-request'));
      await assert.rejects(
        jobs.submit(submission({ kickstart: '%include /etc/passwd\n' }), alice),
        rejectsWith('invalid-kickstart'),
      );
    });

    test('submit refuses a repository key named by a path on the server, naming its line', async (t) => {
      const jobs = await jobService(t, kind);
      const kickstart =
        'lang C\nrepo --name=mine --baseurl=http://deb.example.org/debian --suite=bookworm --gpgkey=file:///var/lib/imger/images/api/bob/7/keyring.gpg\n';
      await assert.rejects(jobs.submit(submission({ kickstart }), alice), (error) => {
        assert.ok(error instanceof ServiceError && error.code === 'invalid-kickstart');
        const { errors } = error.details as { errors: { line: number; message: string }[] };
        assert.deepEqual(
          errors.map((e) => e.line),
          [2],
        );
        assert.match(errors[0]!.message, /repo mine: --gpgkey=file:.*not read from the server's files/);
        return true;
      });
    });

    test('claim takes the oldest waiting job of the given queues, once', async (t) => {
      const clock = fakeClock();
      const jobs = await jobService(t, kind, clock);
      const first = await jobs.submit(submission({ queue: 'web' }), alice);
      clock.advance(1);
      const second = await jobs.submit(submission({ queue: 'web' }), alice);
      await jobs.submit(submission({ queue: 'api' }), alice);
      const requested = await jobs.submit(submission({ queue: 'requests' }), alice);
      assert.equal(await jobs.queuePosition(second.id), 2);

      const claimed = await jobs.claim(['web', 'requests'], 'w1');
      assert.equal(claimed?.id, first.id);
      assert.equal(claimed?.status, 'BUILDING');
      assert.equal(claimed?.worker, 'w1');
      assert.equal(claimed?.attempt, 1);
      assert.equal(await jobs.queuePosition(second.id), 1);
      assert.equal(await jobs.queuePosition(first.id), null);
      assert.equal((await jobs.claim(['web', 'requests'], 'w2'))?.id, second.id);
      assert.equal((await jobs.claim(['web', 'requests'], 'w3'))?.id, requested.id);
      assert.equal(await jobs.claim(['web', 'requests'], 'w4'), null);
      assert.equal(await jobs.claimById(first.id, 'w4'), null);
    });

    test('queuePositions gives a page of jobs the positions queuePosition gives each', async (t) => {
      const clock = fakeClock();
      const jobs = await jobService(t, kind, clock);
      const page = [];
      for (const queue of ['web', 'api', 'web', 'web', 'api', 'web']) {
        page.push(await jobs.submit(submission({ queue }), alice));
        clock.advance(1);
      }
      await jobs.claim(['web'], 'w1');
      // The page was read before the claim: its first job still says IN QUEUE but waits no longer.
      const positions = await jobs.queuePositions(page.slice(0, 4));
      assert.deepEqual(
        page.slice(0, 4).map((job) => positions.get(job.id) ?? null),
        [null, 1, 1, 2],
      );
      for (const job of page.slice(0, 4)) {
        assert.equal(positions.get(job.id) ?? null, await jobs.queuePosition(job.id));
      }
      assert.deepEqual([...(await jobs.queuePositions([page[5]!])).values()], [3]);
    });

    test('concurrent claims never hand one job to two workers', async (t) => {
      const jobs = await jobService(t, kind);
      for (let i = 0; i < 5; i++) await jobs.submit(submission(), alice);
      const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => jobs.claim(['api'], `w${i}`)));
      const ids = claims.filter((job) => job !== null).map((job) => job.id);
      assert.equal(ids.length, 5);
      assert.equal(new Set(ids).size, 5);
    });

    test('finish stores the artifacts; only the claiming worker may finish or fail', async (t) => {
      const jobs = await jobService(t, kind);
      const job = await jobs.submit(submission(), alice);
      await jobs.claim(['api'], 'w1');
      assert.deepEqual(await jobs.heartbeat(job.id, 'w1'), { cancelled: false });
      assert.deepEqual(await jobs.heartbeat(job.id, 'w2'), { cancelled: true });
      const artifacts = [
        { name: 'test.tar.zst', size: 5_000_000_000, sha256: 'a'.repeat(64), main: true },
        { name: 'test.log', size: 10, sha256: 'b'.repeat(64), main: false },
      ];
      await assert.rejects(jobs.finish(job.id, 'w2', { artifacts }), rejectsWith('conflict'));
      const done = await jobs.finish(job.id, 'w1', { artifacts, builtKickstart: 'lang C\n' });
      assert.equal(done.status, 'DONE');
      assert.equal((await jobs.get(job.id))?.artifacts.length, 2);
      assert.equal((await jobs.get(job.id))?.artifacts.find((a) => a.main)?.size, 5_000_000_000);
      assert.equal((await jobs.get(job.id))?.built_kickstart, 'lang C\n');
      await assert.rejects(jobs.fail(job.id, 'w1', failure('internal', 'y')), rejectsWith('conflict'));
      await assert.rejects(jobs.cancel(job.id, alice), rejectsWith('conflict'));
    });

    test('a heartbeat with progress stores it, stamps the change and tells listeners; a requeue clears it', async (t) => {
      const clock = fakeClock();
      const jobs = await jobService(t, kind, clock);
      const job = await jobs.submit(submission(), alice);
      const claimed = await jobs.claim(['api'], 'w1');
      assert.equal(claimed?.progress, null);
      const heard: unknown[] = [];
      jobs.events.on('job:progress', ({ job: changed }) => heard.push(changed.progress));
      const progress: JobProgress = {
        step: 'packages',
        index: 2,
        total: 3,
        steps: ['bootstrap', 'packages', 'disk'],
        step_started: '2026-01-01T00:00:01.000Z',
        packages: { done: 5, total: 40 },
      };
      const before = (await jobs.get(job.id))?.updated ?? '';
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(await jobs.heartbeat(job.id, 'w1', progress), { cancelled: false });
      const stored = await jobs.get(job.id);
      assert.deepEqual(stored?.progress, progress);
      assert.ok((stored?.updated ?? '') > before, 'progress is a change the feed sees');
      assert.deepEqual(heard, [progress]);
      assert.deepEqual(
        (await jobs.changedSince(before)).map((stamp) => stamp.progress),
        [progress],
      );
      // Another worker's progress is refused like its heartbeat, and changes nothing.
      assert.deepEqual(await jobs.heartbeat(job.id, 'w2', { ...progress, index: 3, step: 'disk' }), {
        cancelled: true,
      });
      assert.deepEqual((await jobs.get(job.id))?.progress, progress);
      clock.advance(60_000);
      const [requeued] = await jobs.requeueStale(30_000);
      assert.equal(requeued?.status, 'IN QUEUE');
      assert.equal(requeued?.progress, null);
    });

    test('fail stores the error class and message', async (t) => {
      const jobs = await jobService(t, kind);
      const job = await jobs.submit(submission(), alice);
      await jobs.claim(['api'], 'w1');
      const missing = failure('package-not-found', 'package not found: foo', 'bootstrap', {
        packages: ['foo'],
        sources: ['http://deb.example.org/debian bookworm main'],
        log_line: { number: 12, text: 'E: Unable to locate package foo' },
      });
      const failed = await jobs.fail(job.id, 'w1', missing);
      assert.equal(failed.status, 'ERROR');
      assert.deepEqual(failed.error, missing, 'stored and read back unchanged');
      assert.deepEqual((await jobs.list({}, { limit: 5 })).jobs[0]?.error, missing, 'in a list too');
      assert.ok(failed.finished);
    });

    test('cancel: a waiting job at once, a building one through its worker; owner or admin only', async (t) => {
      const jobs = await jobService(t, kind);
      const waiting = await jobs.submit(submission(), alice);
      await assert.rejects(jobs.cancel(waiting.id, bob), rejectsWith('forbidden'));
      assert.equal((await jobs.cancel(waiting.id, alice)).status, 'CANCELLED');
      await assert.rejects(jobs.cancel(waiting.id, alice), rejectsWith('conflict'));

      const building = await jobs.submit(submission(), alice);
      await jobs.claim(['api'], 'w1');
      const flagged = await jobs.cancel(building.id, admin);
      assert.equal(flagged.status, 'BUILDING');
      assert.equal(flagged.cancel_requested, true);
      assert.deepEqual(await jobs.heartbeat(building.id, 'w1'), { cancelled: true });
      const stopped = await jobs.fail(building.id, 'w1', failure('cancelled', 'stopped'));
      assert.equal(stopped.status, 'CANCELLED');
      await assert.rejects(jobs.cancel('01NOPE', alice), rejectsWith('not-found'));
    });

    test('retry makes a new waiting job with the same inputs, only when finished', async (t) => {
      const jobs = await jobService(t, kind);
      const job = await jobs.submit(
        submission({ tags: ['x'], extraRepos: ['http://r/'], packages: ['-vim'] }),
        alice,
      );
      await assert.rejects(jobs.retry(job.id, alice), rejectsWith('conflict'));
      await jobs.cancel(job.id, alice);
      await assert.rejects(jobs.retry(job.id, bob), rejectsWith('forbidden'));
      const again = await jobs.retry(job.id, alice);
      assert.notEqual(again.id, job.id);
      assert.equal(again.status, 'IN QUEUE');
      assert.deepEqual(
        [again.kickstart, again.type, again.arch, again.name, again.queue, again.extra_repos, again.packages],
        [job.kickstart, job.type, job.arch, job.name, job.queue, job.extra_repos, job.packages],
      );
      assert.deepEqual(again.tags, []);
    });

    test('remove: pinned refuse, building refuse, owner or admin', async (t) => {
      const jobs = await jobService(t, kind);
      const job = await jobs.submit(submission({ pinned: true }), alice);
      await assert.rejects(jobs.remove(job.id, alice), rejectsWith('pinned-job'));
      await jobs.update(job.id, { pinned: false }, alice);
      await assert.rejects(jobs.remove(job.id, bob), rejectsWith('forbidden'));
      await jobs.claim(['api'], 'w1');
      await assert.rejects(jobs.remove(job.id, admin), rejectsWith('conflict'));
      await jobs.finish(job.id, 'w1', { artifacts: [{ name: 'f', size: 1, sha256: 'c', main: true }] });
      await jobs.remove(job.id, admin);
      assert.equal(await jobs.get(job.id), null);
    });

    test('requeueStale retries a silent job once, then ends it in ERROR with the reason', async (t) => {
      const clock = fakeClock();
      const jobs = await jobService(t, kind, clock);
      const job = await jobs.submit(submission(), alice);
      await jobs.claim(['api'], 'w1');
      clock.advance(30_000);
      assert.deepEqual(await jobs.requeueStale(60_000), []);
      clock.advance(31_000);
      const [requeued] = await jobs.requeueStale(60_000);
      assert.equal(requeued?.status, 'IN QUEUE');
      assert.equal(requeued?.worker, null);
      assert.deepEqual(await jobs.heartbeat(job.id, 'w1'), { cancelled: true });

      assert.equal((await jobs.claim(['api'], 'w2'))?.attempt, 2);
      clock.advance(61_000);
      const [failed] = await jobs.requeueStale(60_000);
      assert.equal(failed?.status, 'ERROR');
      assert.equal(failed?.error?.class, 'worker-lost');
      assert.match(failed?.error?.message ?? '', /w2/);
    });

    test('list filters newest first and pages with a cursor', async (t) => {
      const clock = fakeClock();
      const jobs = await jobService(t, kind, clock);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        clock.advance(1000);
        const job = await jobs.submit(
          submission({ name: `job${i}`, queue: i % 2 ? 'web' : 'api', tags: i === 3 ? ['100%_x'] : [] }),
          i < 2 ? bob : alice,
        );
        ids.push(job.id);
      }
      const first = await jobs.list({}, { limit: 2 });
      assert.deepEqual(
        first.jobs.map((job) => job.name),
        ['job4', 'job3'],
      );
      const second = await jobs.list({}, { limit: 2, before: first.next ?? '' });
      assert.deepEqual(
        second.jobs.map((job) => job.name),
        ['job2', 'job1'],
      );
      const last = await jobs.list({}, { limit: 2, before: second.next ?? '' });
      assert.deepEqual(
        last.jobs.map((job) => job.name),
        ['job0'],
      );
      assert.equal(last.next, null);
      assert.deepEqual(
        (await jobs.list({ queue: 'web' }, { limit: 10 })).jobs.map((job) => job.name),
        ['job3', 'job1'],
      );
      assert.deepEqual(
        (await jobs.list({ owner: 'bob' }, { limit: 10 })).jobs.map((job) => job.name),
        ['job1', 'job0'],
      );
      assert.deepEqual(
        (await jobs.list({ tag: '100%_x' }, { limit: 10 })).jobs.map((job) => job.name),
        ['job3'],
      );
      assert.deepEqual(
        (await jobs.list({ text: 'b2' }, { limit: 10 })).jobs.map((job) => job.name),
        ['job2'],
      );
      assert.deepEqual((await jobs.list({ text: '_' }, { limit: 10 })).jobs, []);
      await jobs.cancel(ids[4] ?? '', alice);
      assert.deepEqual(
        (await jobs.list({ status: 'CANCELLED' }, { limit: 10 })).jobs.map((job) => job.name),
        ['job4'],
      );
    });

    test('a listener that throws does not break the verb', async (t) => {
      const jobs = await jobService(t, kind);
      const reported: string[] = [];
      jobs.events.on('job:queued', () => {
        throw new Error('boom');
      });
      jobs.events.on('listener:error', ({ event }) => reported.push(event));
      assert.equal((await jobs.submit(submission(), alice)).status, 'IN QUEUE');
      assert.deepEqual(reported, ['job:queued']);
    });
  });
}

for (const kind of databaseKinds) {
  describe(`jobs with a publishing transport on ${kind}`, () => {
    test('a job is published after it is stored; a failed publish leaves it in the outbox', async (t) => {
      const { db, dialect } = await testDatabase(t, kind);
      let brokerUp = true;
      const published: string[] = [];
      const jobs = createJobService({
        db,
        dialect,
        publish: async ({ id }) => {
          if (!brokerUp) throw new Error('broker down');
          published.push(id);
        },
      });
      const sent = await jobs.submit(submission(), alice);
      assert.deepEqual(published, [sent.id]);
      assert.deepEqual(await db.selectFrom('outbox').select('job_id').execute(), []);
      brokerUp = false;
      const held = await jobs.submit(submission(), alice);
      assert.equal(held.status, 'IN QUEUE');
      assert.deepEqual(await db.selectFrom('outbox').select('job_id').execute(), [{ job_id: held.id }]);
      assert.equal((await jobs.claimById(held.id, 'w1'))?.status, 'BUILDING');
      assert.equal(await jobs.claimById(held.id, 'w2'), null, 'a message delivered twice builds once');
    });
  });
}

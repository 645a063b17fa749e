// The queue table's filters and totals, the admin's bulk delete, groups that open queues, and the site's name and
// base URL, through the REST API, on each database; with the attacks each of them invites.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { monotonicFactory } from 'ulid';
import { COUNT_LIMIT } from '../../../src/contract/list-limits.ts';
import type { Database } from '../../../src/service/db/schema.ts';
import { databaseKinds } from '../helpers.ts';
import { submission } from '../jobs/fixtures.ts';
import { harness } from './harness.ts';

const nextId = monotonicFactory();

/** Many finished jobs at once, straight into the table (the count triggers keep job_counts as a submit would). */
async function insertJobs(
  db: Kysely<Database>,
  count: number,
  fields: { owner?: string; queue?: string; arch?: string; image_type?: string; status?: string } = {},
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 500) {
    const rows = Array.from({ length: Math.min(500, count - start) }, (_, index) => {
      const id = nextId();
      ids.push(id);
      return {
        id,
        name: `bulk-${start + index}`,
        owner: fields.owner ?? 'alice',
        email: null,
        queue: fields.queue ?? 'api',
        image_type: fields.image_type ?? 'fs',
        arch: fields.arch ?? 'x86_64',
        kickstart: '',
        built_kickstart: null,
        tokenmap: '',
        extra_repos: '[]',
        packages: '[]',
        tags: '[]',
        pinned: 0,
        status: fields.status ?? 'DONE',
        error_class: null,
        error_message: null,
        error_step: null,
        created: new Date().toISOString(),
        started: null,
        finished: null,
        worker: null,
        attempt: 0,
        heartbeat: null,
        cancel_requested: 0,
        updated: new Date().toISOString(),
        progress: null,
        build_key: null,
        fresh: 0,
        retry_of: null,
        reused_from: null,
      };
    });
    await db.insertInto('jobs').values(rows).execute();
  }
  return ids;
}

for (const kind of databaseKinds) {
  describe(`queue table and admin on ${kind}`, () => {
    test('lists filter by user, arch and type for anyone, with a total and numbered pages', async (t) => {
      const { app, db, as } = await harness(t, kind);
      await insertJobs(db, 3, { owner: 'alice', arch: 'armv7hl', image_type: 'loop' });
      await insertJobs(db, 4, { owner: 'bob', arch: 'x86_64', image_type: 'fs', queue: 'web' });
      const list = async (query: string) => {
        const response = await app.inject({ url: `/api/v1/jobs?${query}`, headers: as.bob });
        assert.equal(response.statusCode, 200, response.body);
        return response.json();
      };
      const armv7 = await list('arch=armv7hl');
      assert.deepEqual(
        armv7.jobs.map((job: { owner: string; arch: string; type: string }) => [
          job.owner,
          job.arch,
          job.type,
        ]),
        Array(3).fill(['alice', 'armv7hl', 'loop']),
      );
      assert.deepEqual(armv7.total, { count: 3, exact: true });
      assert.deepEqual((await list('type=fs&owner=bob')).total, { count: 4, exact: true });
      assert.deepEqual((await list('type=loop&owner=bob')).total, { count: 0, exact: true });
      // By queue and status alone: from job_counts.
      assert.deepEqual((await list('queue=web&status=DONE')).total, { count: 4, exact: true });
      assert.deepEqual((await list('')).total, { count: 7, exact: true });

      const first = await list('limit=3');
      const second = await list('limit=3&offset=3');
      const third = await list('limit=3&offset=6');
      const names = (page: { jobs: { id: string }[] }) => page.jobs.map((job) => job.id);
      assert.equal(new Set([...names(first), ...names(second), ...names(third)]).size, 7);
      assert.equal(third.jobs.length, 1);
      assert.equal(third.next, null);

      for (const query of [`offset=${COUNT_LIMIT + 1}`, 'offset=-1', `arch=${'x'.repeat(101)}`]) {
        const refused = await app.inject({ url: `/api/v1/jobs?${query}`, headers: as.bob });
        assert.equal(refused.statusCode, 400, query);
      }
      // A filter's text is data, never SQL or a pattern.
      assert.deepEqual((await list(`owner=${encodeURIComponent("alice' or '1'='1")}`)).total, {
        count: 0,
        exact: true,
      });
      assert.deepEqual((await list('arch=%25')).total, { count: 0, exact: true });
      // Only the listed filters narrow a list: the bulk delete's internal `through` is not one of them.
      assert.deepEqual((await list('through=0')).total, { count: 7, exact: true });
    });

    test(`a filtered total stops at the newest ${COUNT_LIMIT} jobs and says so; queue and status stay exact`, async (t) => {
      const { app, db, as } = await harness(t, kind);
      await insertJobs(db, COUNT_LIMIT + 5, { owner: 'bob' });
      const total = async (query: string) =>
        (await app.inject({ url: `/api/v1/jobs?limit=1&${query}`, headers: as.alice })).json().total;
      assert.deepEqual(await total('owner=bob'), { count: COUNT_LIMIT, exact: false });
      // bulk-1, -1x, -1xx, -1xxx and -1000x, less bulk-1 itself: it is among the five oldest, not counted.
      assert.deepEqual(await total('text=bulk-1'), { count: 1115, exact: false }, 'counted among the newest');
      assert.deepEqual(await total('queue=api'), { count: COUNT_LIMIT + 5, exact: true });
      assert.deepEqual(await total(''), { count: COUNT_LIMIT + 5, exact: true });
    });

    test('bulk delete: every matching job, not past `through`, pinned ones kept and named; admins only', async (t) => {
      const { app, db, jobs, as } = await harness(t, kind);
      const ids = await insertJobs(db, 260, { owner: 'bob', arch: 'armv7hl' });
      await insertJobs(db, 5, { owner: 'alice', arch: 'armv7hl' });
      const pinned = await jobs.submit(submission({ name: 'keep-me', arch: 'armv7hl', pinned: true }), {
        username: 'bob',
        admin: false,
      });
      await db.updateTable('jobs').set({ status: 'DONE' }).where('id', '=', pinned.id).execute();
      const later = await insertJobs(db, 2, { owner: 'bob', arch: 'armv7hl' });
      const through = pinned.id;
      const body = { owner: 'bob', arch: 'armv7hl', through };

      const refused = await app.inject({
        method: 'POST',
        url: '/api/v1/jobs/delete',
        headers: as.bob,
        payload: body,
      });
      assert.equal(refused.statusCode, 403);
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/jobs/delete',
        headers: as.root,
        payload: body,
      });
      assert.equal(response.statusCode, 200, response.body);
      const result = response.json();
      assert.equal(result.deleted, 260, 'more than a page of them');
      assert.equal(result.refused_count, 1);
      assert.equal(result.refused[0].name, 'keep-me');
      assert.match(result.refused[0].message, /pinned/);
      assert.equal(result.more, false);
      const left = await jobs.list({}, { limit: 50 });
      assert.deepEqual(
        left.jobs.map((job) => (job.owner === 'bob' ? job.id : 'alice')).sort(),
        [...later, pinned.id, ...Array(5).fill('alice')].sort(),
        "the later jobs, the pinned one and alice's stay",
      );
      assert.equal(await jobs.get(ids[0] ?? ''), null);
      const bad = await app.inject({
        method: 'POST',
        url: '/api/v1/jobs/delete',
        headers: as.root,
        payload: { owner: 'bob' },
      });
      assert.equal(bad.statusCode, 400, 'without `through` nothing is deleted');
    });

    test('a group opens its queues to its members only; other queues stay open; admins use all', async (t) => {
      const { app, as, jobs } = await harness(t, kind);
      const put = (name: string, payload: object) =>
        app.inject({ method: 'PUT', url: `/api/v1/groups/${name}`, headers: as.root, payload });
      assert.equal(
        (await put('builders', { description: 'may build nightly', members: ['bob'], queues: ['web'] }))
          .statusCode,
        200,
      );
      const groups = await app.inject({ url: '/api/v1/groups', headers: as.root });
      assert.deepEqual(groups.json()[0].queues, ['web']);
      const queues = (await app.inject({ url: '/api/v1/queues', headers: as.alice })).json();
      assert.deepEqual(
        queues.map((queue: { name: string; groups: string[] }) => [queue.name, queue.groups]),
        [
          ['api', []],
          ['requests', []],
          ['web', ['builders']],
        ],
        'anyone can see which queues are open to them',
      );
      const unknown = await put('ghosts', { description: '', members: [], queues: ['nowhere'] });
      assert.equal(unknown.statusCode, 400);
      assert.match(unknown.json().message, /no queue named nowhere/);

      const submit = (headers: { authorization: string }, queue: string) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/jobs',
          headers,
          payload: { kickstart: submission().kickstart, type: 'fs', arch: 'x86_64', queue },
        });
      const alice = await submit(as.alice, 'web');
      assert.equal(alice.statusCode, 403);
      assert.match(
        alice.json().message,
        /queue web takes jobs only from members of the group builders.*alice/,
      );
      assert.equal((await submit(as.bob, 'web')).statusCode, 201);
      assert.equal((await submit(as.root, 'web')).statusCode, 201, 'admins are not restricted');
      assert.equal((await submit(as.alice, 'api')).statusCode, 201, 'a queue no group names is open to all');
      const stored = await jobs.list({ owner: 'alice' }, { limit: 10 });
      assert.deepEqual(
        stored.jobs.map((job) => job.queue),
        ['api'],
        'the refused submission stored nothing',
      );

      // A retry is a submission too: alice's old job in the queue does not let her in again.
      await put('builders', { description: '', members: ['alice'], queues: ['web'] });
      const hers = (await submit(as.alice, 'web')).json();
      await app.inject({ method: 'POST', url: `/api/v1/jobs/${hers.id}/cancel`, headers: as.alice });
      await put('builders', { description: '', members: [], queues: ['web'] });
      const retry = await app.inject({
        method: 'POST',
        url: `/api/v1/jobs/${hers.id}/retry`,
        headers: as.alice,
      });
      assert.equal(retry.statusCode, 403);

      // Deleting the group opens the queue again.
      await app.inject({ method: 'DELETE', url: '/api/v1/groups/builders', headers: as.root });
      assert.equal((await submit(as.alice, 'web')).statusCode, 201);
    });

    test("the site's name and base URL: anyone reads them, admins set and clear them, bad URLs are refused", async (t) => {
      const { app, as } = await harness(t, kind, {
        env: { IMG_NOTIFY_BASE_URL: 'https://conf.example/img' },
      });
      const read = async () => (await app.inject({ url: '/api/v1/site' })).json();
      assert.deepEqual(await read(), {
        name: 'IMG',
        base_url: 'https://conf.example/img/',
        base_url_from: 'img.conf',
        set: { name: null, base_url: null },
      });
      const patch = (headers: { authorization: string }, payload: object) =>
        app.inject({ method: 'PATCH', url: '/api/v1/site', headers, payload });
      assert.equal((await patch(as.alice, { name: 'Mine now' })).statusCode, 403);
      const set = await patch(as.root, { name: 'Example IMG', base_url: 'https://img.example.org/builds' });
      assert.equal(set.statusCode, 200, set.body);
      assert.deepEqual(await read(), {
        name: 'Example IMG',
        base_url: 'https://img.example.org/builds/',
        base_url_from: 'pages',
        set: { name: 'Example IMG', base_url: 'https://img.example.org/builds/' },
      });

      const attacks: [object, RegExp][] = [
        [{ base_url: 'javascript:alert(document.cookie)' }, /http:\/\/ or https:\/\//],
        [{ base_url: 'data:text/html,<script>alert(1)</script>' }, /not a URL|http/],
        [{ base_url: 'https://img.example.org/\r\nBcc: victim@example.org' }, /line break/],
        [{ base_url: 'https://img.example.org/%0d%0a\nX: y' }, /line break/],
        [{ base_url: 'https://admin:secret@img.example.org/' }, /user name or password/],
        [{ base_url: 'https://img.example.org/?next=https://evil.example' }, /query/],
        [{ base_url: 'https://img.example.org/"><script>' }, /not a URL/],
        [{ base_url: 'file:///etc/passwd' }, /http/],
        [{ base_url: '//evil.example/' }, /not a URL/],
        [{ name: 'IMG\r\nBcc: victim@example.org' }, /line break/],
        [{ name: '   ' }, /1 to 100/],
      ];
      for (const [payload, message] of attacks) {
        const refused = await patch(as.root, payload);
        assert.equal(refused.statusCode, 400, JSON.stringify(payload));
        assert.match(refused.json().message, message, JSON.stringify(payload));
      }
      assert.equal((await read()).base_url, 'https://img.example.org/builds/', 'nothing changed');

      assert.equal((await patch(as.root, { base_url: null })).statusCode, 200);
      const cleared = await read();
      assert.equal(cleared.base_url, 'https://conf.example/img/');
      assert.equal(cleared.base_url_from, 'img.conf');
      assert.equal(cleared.name, 'Example IMG', 'only what was cleared');
      assert.equal((await patch(as.root, { name: '' })).statusCode, 200, 'empty clears, as null does');
      assert.equal((await read()).name, 'IMG');
    });
  });
}

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { databaseKinds } from '../helpers.ts';
import { alice, submission } from '../jobs/fixtures.ts';
import { harness } from './harness.ts';

for (const kind of databaseKinds) {
  describe(`accounts on ${kind}`, () => {
    test('a session cookie logs in; writes with it need the CSRF token', async (t) => {
      const { app } = await harness(t, kind);
      const wrong = await app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { username: 'alice', password: 'nope' },
      });
      assert.equal(wrong.statusCode, 401);
      const login = await app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { username: 'alice', password: 'alice-password' },
      });
      assert.equal(login.statusCode, 200);
      // As a browser does: the cookie sent back exactly as it was set, still URL-encoded.
      const cookie = String(login.headers['set-cookie']).split(';')[0] ?? '';
      const csrf = login.json().csrf_token;
      assert.equal(login.json().username, 'alice');

      const me = await app.inject({ url: '/api/v1/session', headers: { cookie } });
      assert.equal(me.json().username, 'alice');
      const payload = { kickstart: submission().kickstart, type: 'fs', arch: 'x86_64' };
      const forged = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { cookie }, payload });
      assert.equal(forged.statusCode, 403);
      assert.equal(forged.json().error, 'forbidden');
      const real = await app.inject({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: { cookie, 'x-csrf-token': csrf },
        payload,
      });
      assert.equal(real.statusCode, 201);
      assert.equal(real.json().owner, 'alice');
    });

    test('tokens: made from a password, listed without their value, revoked', async (t) => {
      const { app } = await harness(t, kind);
      const made = await app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        payload: { username: 'bob', password: 'bob-password' },
      });
      assert.equal(made.statusCode, 201);
      const { id, token } = made.json();
      const headers = { authorization: `Bearer ${token}` };
      const listed = await app.inject({ url: '/api/v1/tokens', headers });
      assert.ok(listed.json().some((entry: { id: string }) => entry.id === id));
      assert.doesNotMatch(listed.body, new RegExp(token));
      assert.equal(
        (await app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers })).statusCode,
        204,
      );
      assert.equal((await app.inject({ url: '/api/v1/tokens', headers })).statusCode, 401);
    });

    test('admins manage queues, users and groups; others may not', async (t) => {
      const { app, as, jobs } = await harness(t, kind);
      const put = (who: 'alice' | 'root') =>
        app.inject({
          method: 'PUT',
          url: '/api/v1/queues/nightly',
          headers: as[who],
          payload: { description: 'nightly builds', starts_builds: true },
        });
      assert.equal((await put('alice')).statusCode, 403);
      assert.equal((await put('root')).statusCode, 200);
      const queues = (await app.inject({ url: '/api/v1/queues', headers: as.alice })).json();
      assert.deepEqual(
        queues.map((queue: { name: string }) => queue.name),
        ['api', 'nightly', 'requests', 'web'],
      );
      await jobs.submit(submission({ queue: 'nightly' }), alice);
      const busy = await app.inject({ method: 'DELETE', url: '/api/v1/queues/nightly', headers: as.root });
      assert.equal(busy.statusCode, 409);

      const added = await app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: as.root,
        payload: { username: 'carol', password: 'carol-password', email: 'carol@example.org' },
      });
      assert.equal(added.statusCode, 201);
      assert.doesNotMatch(added.body, /password/);
      const duplicate = await app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: as.root,
        payload: { username: 'carol', password: 'carol-password' },
      });
      assert.equal(duplicate.statusCode, 409);
      const group = await app.inject({
        method: 'PUT',
        url: '/api/v1/groups/qa',
        headers: as.root,
        payload: { description: 'testers', members: ['carol', 'alice'] },
      });
      assert.deepEqual(group.json().members, ['alice', 'carol']);
      const carol = await app.inject({ url: '/api/v1/users', headers: as.root });
      assert.deepEqual(carol.json().find((user: { username: string }) => user.username === 'carol').groups, [
        'qa',
      ]);
      const promoted = await app.inject({
        method: 'PATCH',
        url: '/api/v1/users/carol',
        headers: as.root,
        payload: { admin: true },
      });
      assert.equal(promoted.json().admin, true);
      assert.equal(
        (await app.inject({ method: 'DELETE', url: '/api/v1/users/carol', headers: as.root })).statusCode,
        204,
      );
      assert.equal((await app.inject({ url: '/api/v1/users', headers: as.alice })).statusCode, 403);
    });

    test('/metrics: jobs by queue and status, disk usage, wait and build times', async (t) => {
      const { app, jobs } = await harness(t, kind, { env: { IMG_WEB_METRICS: 'open' } });
      const job = await jobs.submit(submission(), alice);
      await jobs.submit(submission({ queue: 'web' }), alice);
      await jobs.claim(['api'], 'w1');
      await jobs.finish(job.id, 'w1', { artifacts: [{ name: 'a', size: 1234, sha256: 'x', main: true }] });
      const metrics = (await app.inject({ url: '/metrics' })).body;
      assert.match(metrics, /img_jobs\{queue="api",status="DONE"\} 1/);
      assert.match(metrics, /img_jobs\{queue="web",status="IN QUEUE"\} 1/);
      assert.match(metrics, /img_disk_usage_bytes\{queue="api"\} 1234/);
      assert.match(metrics, /img_queue_wait_seconds_count\{queue="api"\} 1/);
      assert.match(metrics, /img_build_seconds_count\{queue="api",status="DONE"\} 1/);
    });
  });
}

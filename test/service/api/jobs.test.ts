import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { databaseKinds } from '../helpers.ts';
import { validKickstart } from '../jobs/fixtures.ts';
import { harness } from './harness.ts';

const submitBody = { kickstart: validKickstart, type: 'fs', arch: 'x86_64', name: 'api-test' };

function multipart(fields: Record<string, string>, file: { name: string; content: string }) {
  const boundary = '----imgtest';
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  parts.push(
    `--${boundary}\r\ncontent-disposition: form-data; name="kickstart"; filename="${file.name}"\r\n` +
      `content-type: text/plain\r\n\r\n${file.content}\r\n`,
  );
  return {
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: `${parts.join('')}--${boundary}--\r\n`,
  };
}

for (const kind of databaseKinds) {
  describe(`jobs API on ${kind}`, () => {
    test('a number beyond a double (1e400, Infinity) is a 400 naming it, in a query or a body', async (t) => {
      const { app, as } = await harness(t, kind);
      for (const url of [
        '/api/v1/jobs?limit=1e400',
        '/api/v1/jobs?limit=Infinity',
        '/api/v1/stats?days=-1e400',
      ]) {
        const response = await app.inject({ url, headers: as.alice });
        assert.equal(response.statusCode, 400, url);
        assert.equal(response.json().error, 'bad-request', url);
      }
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { ...as.alice, 'content-type': 'application/json' },
        payload: '{"username": "alice", "password": "wrong", "expires_in_days": 1e400}',
      });
      assert.equal(response.statusCode, 400);
      assert.match(response.json().message, /expires_in_days/);
      assert.equal((await app.inject({ url: '/api/v1/jobs?limit=5', headers: as.alice })).statusCode, 200);
    });

    test('every route but health, the OpenAPI document and logging in needs a login', async (t) => {
      const { app } = await harness(t, kind);
      for (const url of [
        '/api/v1/jobs',
        '/api/v1/queues',
        '/api/v1/users',
        '/api/v1/tokens',
        '/api/v1/jobs/x/log',
      ]) {
        const response = await app.inject({ url });
        assert.equal(response.statusCode, 401, url);
        assert.equal(response.json().error, 'unauthorized');
      }
      assert.equal((await app.inject({ url: '/api/v1/healthz' })).statusCode, 200);
      const openapi = (await app.inject({ url: '/api/openapi.json' })).json();
      assert.equal(openapi.openapi, '3.0.3');
      for (const path of [
        '/api/v1/jobs',
        '/api/v1/jobs/{id}/log',
        '/api/v1/jobs/{id}/image',
        '/api/v1/tokens',
      ]) {
        assert.ok(openapi.paths[path], `${path} is documented`);
      }
      assert.ok(openapi.paths['/api/v1/jobs'].post.requestBody.content['multipart/form-data']);
      assert.equal((await app.inject({ url: '/api/docs/' })).statusCode, 200);
      assert.equal(
        (await app.inject({ url: '/api/v1/jobs', headers: { authorization: 'Bearer nope' } })).statusCode,
        401,
      );
    });

    test('POST /jobs as JSON answers 201 with the job, and GET /jobs/{id} shows it', async (t) => {
      const { app, as } = await harness(t, kind);
      const created = await app.inject({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: as.alice,
        payload: submitBody,
      });
      assert.equal(created.statusCode, 201);
      const job = created.json();
      assert.equal(job.owner, 'alice');
      assert.equal(job.status, 'IN QUEUE');
      // Lineage and the build key: none yet (a worker resolves the key), no fresh build asked for.
      assert.deepEqual([job.build_key, job.fresh, job.retry_of, job.reused_from], [null, false, null, null]);
      assert.equal(job.queue_position, 1);
      assert.equal(job.links.log, `/api/v1/jobs/${job.id}/log`);
      const fetched = await app.inject({ url: job.links.self, headers: as.bob });
      assert.deepEqual(fetched.json(), job);
      assert.equal((await app.inject({ url: '/api/v1/jobs/NOPE', headers: as.bob })).statusCode, 404);
    });

    test('POST /jobs as a form takes the file in `kickstart` and comma lists', async (t) => {
      const { app, as } = await harness(t, kind);
      const form = multipart(
        {
          type: 'fs',
          arch: 'i586',
          tags: 'one, two words',
          pinned: 'yes',
          fresh: 'yes',
          packages: 'vim,-nano',
        },
        { name: 'mine.ks', content: validKickstart },
      );
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: { ...as.alice, ...form.headers },
        payload: form.payload,
      });
      assert.equal(response.statusCode, 201, response.body);
      const job = response.json();
      assert.equal(job.name, 'mine');
      assert.equal(job.arch, 'i686');
      assert.deepEqual(job.tags, ['one', 'two_words']);
      assert.equal(job.pinned, true);
      assert.equal(job.fresh, true);
      assert.deepEqual(job.packages, ['vim', '-nano']);
      assert.equal(job.kickstart, validKickstart);
    });

    test('POST /jobs from a template by name', async (t) => {
      const { app, as } = await harness(t, kind);
      const templates = (await app.inject({ url: '/api/v1/templates', headers: as.alice })).json();
      assert.ok(templates.length > 0);
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: as.alice,
        payload: { template: templates[0].name, type: 'fs', arch: 'x86_64' },
      });
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(response.json().name, templates[0].name);
      const unknown = await app.inject({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: as.alice,
        payload: { template: 'no-such', type: 'fs', arch: 'x86_64' },
      });
      assert.equal(unknown.statusCode, 400);
    });

    test('an invalid kickstart answers 400 with the lint errors and their lines', async (t) => {
      const { app, as } = await harness(t, kind);
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: as.alice,
        payload: { ...submitBody, kickstart: 'lang C\n\npart / --size big\nbogus\n' },
      });
      assert.equal(response.statusCode, 400);
      const body = response.json();
      assert.equal(body.error, 'invalid-kickstart');
      assert.deepEqual(
        body.details.errors.map((error: { line: number }) => error.line),
        [3, 4],
      );
      assert.match(body.details.errors[0].message, /--size expects a number/);
    });

    test('malformed requests answer JSON errors without a stack trace', async (t) => {
      const { app, as } = await harness(t, kind);
      const cases = [
        { payload: { type: 'fs' }, status: 400 },
        { payload: { ...submitBody, surprise: 1 }, status: 400 },
        { payload: { ...submitBody, template: 'x' }, status: 400 },
        { payload: { ...submitBody, type: 'nand' }, status: 400 },
        { payload: '{not json', status: 400, headers: { 'content-type': 'application/json' } },
        { payload: 'x', status: 415, headers: { 'content-type': 'text/csv' } },
        // Malformed forms: no boundary, a boundary that never comes, a body cut in a part's headers.
        { payload: 'x', status: 400, headers: { 'content-type': 'multipart/form-data' } },
        {
          payload: 'no parts here',
          status: 400,
          headers: { 'content-type': 'multipart/form-data; boundary=b' },
        },
        {
          payload: '--b\r\ncontent-disposition: form-data; name="type"\r\n\r\nfs',
          status: 400,
          headers: { 'content-type': 'multipart/form-data; boundary=b' },
        },
        {
          payload: '--b\r\ncontent-disposition: form-da',
          status: 400,
          headers: { 'content-type': 'multipart/form-data; boundary=b' },
        },
      ];
      for (const { payload, status, headers = {} } of cases) {
        const response = await app.inject({
          method: 'POST',
          url: '/api/v1/jobs',
          headers: { ...as.alice, ...headers },
          payload,
        });
        assert.equal(response.statusCode, status, JSON.stringify(payload));
        const body = response.json();
        assert.equal(typeof body.error, 'string');
        assert.equal(typeof body.message, 'string');
        assert.doesNotMatch(response.body, /at .*\.ts:\d+|stack/);
        if (String((headers as Record<string, string>)['content-type']).startsWith('multipart/'))
          assert.match(body.message, /multipart|form|boundary/i, response.body);
      }
      assert.equal((await app.inject({ url: '/api/v1/jobs', headers: as.alice })).json().jobs.length, 0);
      const missing = await app.inject({ url: '/api/v1/nowhere', headers: as.alice });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().error, 'not-found');
    });

    test('GET /jobs filters and pages with a cursor, newest first', async (t) => {
      const { app, as } = await harness(t, kind);
      const submit = async (who: 'alice' | 'bob', extra: object) =>
        (
          await app.inject({
            method: 'POST',
            url: '/api/v1/jobs',
            headers: as[who],
            payload: { ...submitBody, ...extra },
          })
        ).json();
      const a1 = await submit('alice', { name: 'a1', tags: ['red'] });
      const b1 = await submit('bob', { name: 'b1', queue: 'web' });
      const a2 = await submit('alice', { name: 'a2' });
      const list = async (query: string) =>
        (await app.inject({ url: `/api/v1/jobs?${query}`, headers: as.alice })).json();

      const page1 = await list('limit=2');
      assert.deepEqual(
        page1.jobs.map((job: { id: string }) => job.id),
        [a2.id, b1.id],
      );
      const page2 = await list(`limit=2&before=${page1.next}`);
      assert.deepEqual(
        page2.jobs.map((job: { id: string }) => job.id),
        [a1.id],
      );
      assert.equal(page2.next, null);
      const names = async (query: string) =>
        (await list(query)).jobs.map((job: { name: string }) => job.name);
      assert.deepEqual(await names('owner=mine'), ['a2', 'a1']);
      assert.deepEqual(await names('owner=bob'), ['b1']);
      assert.deepEqual(await names('queue=web'), ['b1']);
      assert.deepEqual(await names('tag=red'), ['a1']);
      assert.deepEqual(await names('text=b'), ['b1']);
      assert.deepEqual(await names('status=DONE'), []);
      assert.equal(
        (await app.inject({ url: '/api/v1/jobs?status=NOPE', headers: as.alice })).statusCode,
        400,
      );
      assert.equal((await app.inject({ url: '/api/v1/jobs?limit=0', headers: as.alice })).statusCode, 400);
    });

    test('only the owner or an admin cancels, retries, changes or deletes a job', async (t) => {
      const { app, as } = await harness(t, kind);
      const job = (
        await app.inject({
          method: 'POST',
          url: '/api/v1/jobs',
          headers: as.alice,
          payload: { ...submitBody, pinned: true },
        })
      ).json();
      const call = (
        method: 'POST' | 'PATCH' | 'DELETE',
        path: string,
        who: 'alice' | 'bob' | 'root',
        payload?: object,
      ) =>
        app.inject({
          method,
          url: `/api/v1/jobs/${job.id}${path}`,
          headers: as[who],
          ...(payload ? { payload } : {}),
        });

      for (const [method, path, payload] of [
        ['POST', '/cancel'],
        ['POST', '/retry'],
        ['PATCH', '', { tags: ['x'] }],
        ['DELETE', ''],
      ] as const) {
        const response = await call(method, path, 'bob', payload);
        assert.equal(response.statusCode, 403, `${method} ${path}`);
        assert.equal(response.json().error, 'forbidden');
      }
      const patched = await call('PATCH', '', 'alice', { tags: ['keep me'] });
      assert.deepEqual(patched.json().tags, ['keep_me']);
      assert.equal((await call('DELETE', '', 'root')).json().error, 'pinned-job');
      assert.equal((await call('POST', '/cancel', 'root')).json().status, 'CANCELLED');
      const retried = await call('POST', '/retry', 'alice');
      assert.equal(retried.statusCode, 201);
      assert.notEqual(retried.json().id, job.id);
      assert.equal(retried.json().retry_of, job.id);
      assert.equal((await call('PATCH', '', 'alice', { pinned: false })).json().pinned, false);
      assert.equal((await call('DELETE', '', 'root')).statusCode, 204);
      assert.equal((await app.inject({ url: `/api/v1/jobs/${job.id}`, headers: as.alice })).statusCode, 404);
    });
  });
}

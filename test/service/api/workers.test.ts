// Workers and queues you can see: GET /workers, GET /queues/state, a waiting job's `blocked`, and /metrics.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { databaseKinds } from '../helpers.ts';
import { harness } from './harness.ts';

const submission = (queue: string) => ({
  kickstart: 'lang en_US.UTF-8\nkeyboard us\ntimezone UTC\nrootpw secret\n%packages\nbash\n%end\n',
  type: 'fs',
  arch: 'x86_64',
  name: `in-${queue}`,
  queue,
});

const beat = (id: string, queues: string[], busy = 0) => ({
  id,
  host: 'builder.example',
  slots: 2,
  busy,
  queues,
  version: '9.9.9',
  started: new Date().toISOString(),
});

for (const kind of databaseKinds) {
  describe(`workers and queue states on ${kind}`, () => {
    test('GET /workers lists the workers that beat lately, and forgets one that left', async (t) => {
      const h = await harness(t, kind, { env: { IMG_WEB_METRICS: 'open' } });
      assert.equal((await h.app.inject({ url: '/api/v1/workers' })).statusCode, 401);
      await h.jobs.workers.beat(beat('w-b', ['web'], 1));
      await h.jobs.workers.beat(beat('w-a', ['api', 'web']));
      const response = await h.app.inject({ url: '/api/v1/workers', headers: h.as.alice });
      assert.equal(response.statusCode, 200);
      const workers = response.json();
      assert.deepEqual(
        workers.map((w: { id: string; queues: string[]; busy: number; slots: number }) => [
          w.id,
          w.queues,
          w.busy,
          w.slots,
        ]),
        [
          ['w-a', ['api', 'web'], 0, 2],
          ['w-b', ['web'], 1, 2],
        ],
      );
      assert.equal(workers[0].host, 'builder.example');
      assert.equal(workers[0].version, '9.9.9');
      assert.match(workers[0].heartbeat, /^\d{4}-\d\d-\d\dT/);

      const metrics = (await h.app.inject({ url: '/metrics' })).body;
      assert.match(metrics, /img_worker_busy\{worker="w-b",host="builder\.example"\} 1/);
      assert.match(metrics, /img_queue_workers\{queue="web"\} 2/);
      assert.match(metrics, /img_queue_workers\{queue="requests"\} 0/);
      assert.match(metrics, /img_queue_builds_enabled\{queue="api"\} 1/);

      await h.jobs.workers.leave('w-a');
      const left = (await h.app.inject({ url: '/api/v1/workers', headers: h.as.alice })).json();
      assert.deepEqual(
        left.map((w: { id: string }) => w.id),
        ['w-b'],
      );
    });

    test('a waiting job says plainly why it cannot start: no worker, or builds switched off', async (t) => {
      const h = await harness(t, kind);
      const submit = async (queue: string) => {
        const response = await h.app.inject({
          method: 'POST',
          url: '/api/v1/jobs',
          headers: h.as.alice,
          payload: submission(queue),
        });
        assert.equal(response.statusCode, 201, response.body);
        return response.json();
      };
      const lonely = await submit('api');
      assert.deepEqual(lonely.blocked, { reason: 'no-worker', message: 'no worker serves queue api' });

      await h.jobs.workers.beat(beat('w1', ['api']));
      const served = await h.app.inject({ url: `/api/v1/jobs/${lonely.id}`, headers: h.as.alice });
      assert.equal(served.json().blocked, null);

      // An admin switches the queue's builds off: the job says why it waits, whoever serves the queue.
      const paused = await h.app.inject({
        method: 'PUT',
        url: '/api/v1/queues/api',
        headers: h.as.root,
        payload: { description: 'paused', starts_builds: false },
      });
      assert.equal(paused.statusCode, 200, paused.body);
      const waiting = (await h.app.inject({ url: `/api/v1/jobs/${lonely.id}`, headers: h.as.alice })).json();
      assert.deepEqual(waiting.blocked, {
        reason: 'builds-off',
        message: 'builds in queue api are switched off by an admin',
      });
      const list = (await h.app.inject({ url: '/api/v1/jobs', headers: h.as.alice })).json();
      assert.equal(list.jobs[0].blocked.reason, 'builds-off');

      const states = (await h.app.inject({ url: '/api/v1/queues/state', headers: h.as.alice })).json();
      const api = states.find((queue: { name: string }) => queue.name === 'api');
      assert.deepEqual(api, {
        name: 'api',
        description: 'paused',
        starts_builds: false,
        workers: ['w1'],
        waiting: 1,
        building: 0,
      });

      // A job that builds is not blocked, whatever its queue.
      await h.app.inject({
        method: 'PUT',
        url: '/api/v1/queues/api',
        headers: h.as.root,
        payload: { description: 'on', starts_builds: true },
      });
      await h.jobs.claim(['api'], 'w1');
      const building = (await h.app.inject({ url: `/api/v1/jobs/${lonely.id}`, headers: h.as.alice })).json();
      assert.equal(building.status, 'BUILDING');
      assert.equal(building.blocked, null);
    });

    test('a waiting job gets an estimated start and end from similar builds; none without a worker', async (t) => {
      const h = await harness(t, kind);
      const post = async () => {
        const response = await h.app.inject({
          method: 'POST',
          url: '/api/v1/jobs',
          headers: h.as.alice,
          payload: submission('api'),
        });
        return response.json();
      };
      for (let i = 0; i < 3; i++) {
        const { id } = await post();
        await h.jobs.claimById(id, 'w1');
        await h.jobs.finish(id, 'w1', { artifacts: [] });
      }
      const lonely = await post();
      assert.equal(lonely.eta, null, 'nobody builds the queue: no start to estimate');
      await h.jobs.workers.beat(beat('w1', ['api']));
      const before = Date.now();
      const waiting = (await h.app.inject({ url: `/api/v1/jobs/${lonely.id}`, headers: h.as.alice })).json();
      assert.equal(waiting.eta.samples, 3);
      assert.ok(Date.parse(waiting.eta.start) >= before - 1000, 'the start is not in the past');
      assert.ok(Date.parse(waiting.eta.end) >= Date.parse(waiting.eta.start));
      assert.equal(
        Math.round((Date.parse(waiting.eta.end) - Date.parse(waiting.eta.start)) / 1000),
        waiting.eta.build_seconds,
      );
      await h.jobs.claimById(lonely.id, 'w1');
      const building = (await h.app.inject({ url: `/api/v1/jobs/${lonely.id}`, headers: h.as.alice })).json();
      assert.equal(building.eta.start, null);
      assert.ok(Date.parse(building.eta.end) >= Date.parse(building.started));
      await h.jobs.finish(lonely.id, 'w1', { artifacts: [] });
      const done = (await h.app.inject({ url: `/api/v1/jobs/${lonely.id}`, headers: h.as.alice })).json();
      assert.equal(done.eta, null, 'a finished job has no estimate');
    });

    test('a worker beat with a hostile id or host is stored and shown as data, nothing else', async (t) => {
      const h = await harness(t, kind, { env: { IMG_WEB_METRICS: 'open' } });
      const hostile = `w"} 1\nimg_injected 1\n#'; drop table jobs; --`;
      await h.jobs.workers.beat({ ...beat(hostile, ['api']), host: '<script>alert(1)</script>' });
      const [worker] = (await h.app.inject({ url: '/api/v1/workers', headers: h.as.alice })).json();
      assert.equal(worker.id, hostile);
      assert.equal(worker.host, '<script>alert(1)</script>');
      const metrics = (await h.app.inject({ url: '/metrics' })).body;
      assert.doesNotMatch(metrics, /^img_injected/m);
      assert.ok((await h.jobs.list({}, { limit: 1 })).jobs, 'the jobs table is still there');
    });
  });
}

import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import type { JobChange } from '../../../src/client/api-client.ts';
import { failure } from '../../../src/contract/failure.ts';
import { databaseKinds } from '../helpers.ts';
import { alice, submission } from '../jobs/fixtures.ts';
import { type Harness, harness } from './harness.ts';

/** GET /events on a listening app, read event by event; the stream is closed after the test. */
async function followChanges(t: TestContext, h: Harness) {
  const address = await h.app.listen({ host: '127.0.0.1', port: 0 });
  const response = await fetch(`${address}/api/v1/events`, { headers: h.as.bob });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  t.after(() => reader.cancel());
  let buffer = '';
  return {
    /** The changes up to and including the first that `wanted` accepts. */
    async until(wanted: (change: JobChange) => boolean): Promise<JobChange[]> {
      const seen: JobChange[] = [];
      for (;;) {
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(':')) continue;
          assert.match(block, /^event: job\ndata: /);
          const change = JSON.parse(block.replace(/^event: job\ndata: /, '')) as JobChange;
          seen.push(change);
          if (wanted(change)) return seen;
        }
        const { value, done } = await reader.read();
        assert.ok(!done, `the stream ended; it sent ${JSON.stringify(seen)}`);
        buffer += value;
      }
    },
  };
}

for (const kind of databaseKinds) {
  describe(`job change events on ${kind}`, () => {
    test('GET /events needs a login and is documented', async (t) => {
      const { app } = await harness(t, kind);
      const response = await app.inject({ url: '/api/v1/events' });
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().error, 'unauthorized');
      const openapi = (await app.inject({ url: '/api/openapi.json' })).json();
      assert.ok(openapi.paths['/api/v1/events'].get.responses['200'].content['text/event-stream']);
    });

    test('a job submitted, started and finished in this process is announced at each step', async (t) => {
      const h = await harness(t, kind);
      const changes = await followChanges(t, h);
      const submitted = await h.app.inject({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: h.as.alice,
        payload: submission({ name: 'watched' }),
      });
      assert.equal(submitted.statusCode, 201);
      const { id } = submitted.json();
      const [queued] = await changes.until((change) => change.id === id);
      assert.deepEqual(
        { ...queued, updated: undefined },
        {
          id,
          status: 'IN QUEUE',
          queue: 'api',
          owner: 'alice',
          removed: false,
          updated: undefined,
          progress: null,
        },
      );
      assert.match(queued?.updated ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

      await h.jobs.claim(['api'], 'w1');
      const started = await changes.until((change) => change.status === 'BUILDING');
      assert.equal(started.at(-1)?.id, id);
      await h.jobs.heartbeat(id, 'w1');
      const progress = {
        step: 'bootstrap' as const,
        index: 1,
        total: 2,
        steps: ['bootstrap' as const, 'disk' as const],
        step_started: new Date().toISOString(),
        bytes: { done: 3 * 2 ** 30, total: 12 * 2 ** 30 },
      };
      await h.jobs.heartbeat(id, 'w1', progress);
      const stepped = await changes.until((change) => change.progress !== null);
      assert.deepEqual(stepped.at(-1)?.progress, progress);
      const read = await h.app.inject({ method: 'GET', url: `/api/v1/jobs/${id}`, headers: h.as.alice });
      assert.deepEqual(read.json().progress.bytes, progress.bytes, 'bytes reach GET /jobs/{id}');
      await h.jobs.finish(id, 'w1', { artifacts: [] });
      const finished = await changes.until((change) => change.status === 'DONE');
      assert.deepEqual(
        finished.map((change) => change.status),
        ['DONE'],
        'a heartbeat is no change, and no change is announced twice',
      );
      assert.ok((finished[0]?.updated ?? '') > (queued?.updated ?? ''));

      await h.app.inject({ method: 'DELETE', url: `/api/v1/jobs/${id}`, headers: h.as.alice });
      const [removed] = await changes.until((change) => change.removed);
      assert.equal(removed?.id, id);
      assert.equal(removed?.status, 'DONE');
    });

    test('changes another process makes in the database reach the stream', async (t) => {
      const h = await harness(t, kind);
      const other = await h.otherJobService();
      const changes = await followChanges(t, h);
      const job = await other.submit(submission({ name: 'elsewhere' }), alice);
      assert.equal((await changes.until((change) => change.id === job.id)).at(-1)?.status, 'IN QUEUE');
      await other.claim(['api'], 'remote-worker');
      await other.fail(job.id, 'remote-worker', failure('internal', 'it broke'));
      const later = await changes.until((change) => change.status === 'ERROR');
      assert.ok(
        later.every((change) => change.id === job.id),
        `only the remote job changed: ${JSON.stringify(later)}`,
      );
      await other.update(job.id, { tags: ['seen'] }, alice);
      const [tagged] = await changes.until(() => true);
      assert.equal(tagged?.id, job.id);
      assert.equal(tagged?.status, 'ERROR');
    });
  });
}

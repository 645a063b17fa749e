import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { LOG_CHUNK_MAX_BYTES } from '../../../src/contract/api.ts';
import { localJobFolder as jobFolder } from '../../../src/service/jobs/artifact-store.ts';
import { databaseKinds } from '../helpers.ts';
import { alice, submission } from '../jobs/fixtures.ts';
import { type Harness, harness } from './harness.ts';

const image = Buffer.from('an image, uploaded by a worker\n');
const sha = createHash('sha256').update(image).digest('hex');

/** A job BUILDING on worker w1, as a remote worker would have claimed it. */
async function building(h: Harness) {
  const job = await h.jobs.submit(submission({ name: 'remote' }), alice);
  await h.jobs.claim(['api'], 'w1');
  return job;
}

function upload(
  h: Harness,
  jobId: string,
  name: string,
  options: { as?: { authorization: string }; sha256?: string; worker?: string; body?: Buffer } = {},
) {
  return h.app.inject({
    method: 'PUT',
    url: `/api/v1/jobs/${jobId}/files/${name}`,
    headers: {
      ...(options.as ?? h.as.root),
      'content-type': 'application/octet-stream',
      'x-img-sha256': options.sha256 ?? sha,
      'x-img-worker': options.worker ?? 'w1',
    },
    payload: options.body ?? image,
  });
}

/** A chunk of the live log of a job BUILDING on w1 (or `worker`), starting at byte `offset`. */
function appendLog(
  h: Harness,
  jobId: string,
  offset: number,
  text: string,
  options: { as?: { authorization: string }; worker?: string } = {},
) {
  return h.app.inject({
    method: 'POST',
    url: `/api/v1/jobs/${jobId}/log`,
    headers: {
      ...(options.as ?? h.as.root),
      'content-type': 'application/octet-stream',
      'x-img-offset': String(offset),
      'x-img-worker': options.worker ?? 'w1',
    },
    payload: Buffer.from(text),
  });
}

for (const kind of databaseKinds) {
  describe(`uploads of a remote worker on ${kind}`, () => {
    test('a file uploaded into a BUILDING job lands in its folder and is served once the job is DONE', async (t) => {
      const h = await harness(t, kind);
      const job = await building(h);
      const stored = await upload(h, job.id, 'sub/remote.img');
      assert.equal(stored.statusCode, 201, stored.body);
      assert.deepEqual(stored.json(), { name: 'sub/remote.img', size: image.length, sha256: sha });
      const folder = jobFolder(h.baseDir, job);
      assert.deepEqual(readFileSync(join(folder, 'sub/remote.img')), image);
      assert.deepEqual(readdirSync(join(folder, 'sub')), ['remote.img'], 'no temp file is left');
      await h.jobs.finish(job.id, 'w1', {
        artifacts: [{ name: 'sub/remote.img', size: image.length, sha256: sha, main: true }],
      });
      const served = await h.app.inject({ url: `/api/v1/jobs/${job.id}/image`, headers: h.as.bob });
      assert.equal(served.statusCode, 200);
      assert.deepEqual(served.rawPayload, image);
    });

    test('only an admin uploads; without a login it is 401', async (t) => {
      const h = await harness(t, kind);
      const job = await building(h);
      assert.equal((await upload(h, job.id, 'remote.img', { as: h.as.alice })).statusCode, 403);
      const anonymous = await h.app.inject({
        method: 'PUT',
        url: `/api/v1/jobs/${job.id}/files/remote.img`,
        headers: { 'content-type': 'application/octet-stream', 'x-img-sha256': sha, 'x-img-worker': 'w1' },
        payload: image,
      });
      assert.equal(anonymous.statusCode, 401);
      assert.equal(existsSync(join(jobFolder(h.baseDir, job), 'remote.img')), false);
    });

    test('a body whose sha256 differs from x-img-sha256 is refused and nothing is kept', async (t) => {
      const h = await harness(t, kind);
      const job = await building(h);
      const refused = await upload(h, job.id, 'remote.img', { body: Buffer.from('corrupted on the way\n') });
      assert.equal(refused.statusCode, 400);
      assert.match(refused.json().message, /sha256/);
      assert.deepEqual(readdirSync(jobFolder(h.baseDir, job)), []);
      assert.equal((await upload(h, job.id, 'remote.img', { sha256: 'not-hex' })).statusCode, 400);
    });

    test('names that leave the folder, or are dot files, are refused', async (t) => {
      const h = await harness(t, kind);
      const job = await building(h);
      for (const name of [
        '..%2F..%2Fescape',
        '..%2Fescape',
        'sub%2F..%2F..%2Fescape',
        '.hidden',
        'a%2F%2Fb',
      ]) {
        const refused = await upload(h, job.id, name);
        assert.equal(refused.statusCode, 400, `${name}: ${refused.body}`);
      }
      assert.equal(existsSync(join(h.baseDir, job.queue, 'escape')), false);
      assert.equal(existsSync(join(h.baseDir, job.queue, job.owner, 'escape')), false);
    });

    test('refused unless the job is BUILDING on the uploading worker', async (t) => {
      const h = await harness(t, kind);
      const waiting = await h.jobs.submit(submission({ queue: 'web' }), alice);
      assert.equal((await upload(h, waiting.id, 'remote.img')).statusCode, 409);
      const job = await building(h);
      assert.equal((await upload(h, job.id, 'remote.img', { worker: 'w2' })).statusCode, 409);
      await h.jobs.finish(job.id, 'w1', { artifacts: [] });
      assert.equal((await upload(h, job.id, 'remote.img')).statusCode, 409);
      assert.equal((await upload(h, 'NOSUCHJOB', 'remote.img')).statusCode, 404);
    });

    test('the live log grows chunk by chunk in order, and followers on the web node read it', async (t) => {
      const h = await harness(t, kind);
      const job = await building(h);
      const first = await appendLog(h, job.id, 0, 'line 1\n');
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual(first.json(), { size: 7 });
      assert.deepEqual((await appendLog(h, job.id, 7, 'line 2\nline 3\n')).json(), { size: 21 });
      const served = await h.app.inject({ url: `/api/v1/jobs/${job.id}/log`, headers: h.as.alice });
      assert.equal(served.body, 'line 1\nline 2\nline 3\n');
    });

    test('a chunk sent again is stored once, also when it arrives with more behind it', async (t) => {
      const h = await harness(t, kind);
      const job = await building(h);
      await appendLog(h, job.id, 0, 'line 1\n');
      await appendLog(h, job.id, 7, 'line 2\n');
      assert.deepEqual((await appendLog(h, job.id, 7, 'line 2\n')).json(), { size: 14 }, 'a plain resend');
      const resent = await appendLog(h, job.id, 7, 'line 2\nline 3\n');
      assert.deepEqual(resent.json(), { size: 21 }, 'a resend of what grew since');
      assert.equal(
        readFileSync(join(jobFolder(h.baseDir, job), 'remote.log'), 'utf8'),
        'line 1\nline 2\nline 3\n',
      );
    });

    test('a chunk past the end answers 409 with the size the web node has, one over the bound 413; nothing is written', async (t) => {
      const h = await harness(t, kind);
      const job = await building(h);
      await appendLog(h, job.id, 0, 'line 1\n');
      const gap = await appendLog(h, job.id, 100, 'line 9\n');
      assert.equal(gap.statusCode, 409);
      assert.equal(gap.json().error, 'log-gap');
      assert.deepEqual(gap.json().details, { size: 7 });
      const huge = await appendLog(h, job.id, 7, 'x'.repeat(LOG_CHUNK_MAX_BYTES + 1));
      assert.equal(huge.statusCode, 413);
      assert.equal(readFileSync(join(jobFolder(h.baseDir, job), 'remote.log'), 'utf8'), 'line 1\n');
    });

    test("a chunk at offset 0 starts the log over: a requeued job's new attempt replaces the last one's", async (t) => {
      const h = await harness(t, kind);
      const job = await building(h);
      await appendLog(h, job.id, 0, 'attempt 1, a long line the worker got no further than\n');
      assert.deepEqual((await appendLog(h, job.id, 0, 'attempt 2\n')).json(), { size: 10 });
      assert.equal(readFileSync(join(jobFolder(h.baseDir, job), 'remote.log'), 'utf8'), 'attempt 2\n');
    });

    test('only an admin sends the live log, and only for the job BUILDING on that worker', async (t) => {
      const h = await harness(t, kind);
      const job = await building(h);
      const logPath = join(jobFolder(h.baseDir, job), 'remote.log');
      assert.equal((await appendLog(h, job.id, 0, 'forged\n', { as: h.as.alice })).statusCode, 403);
      const anonymous = await h.app.inject({
        method: 'POST',
        url: `/api/v1/jobs/${job.id}/log`,
        headers: { 'content-type': 'application/octet-stream', 'x-img-offset': '0', 'x-img-worker': 'w1' },
        payload: 'forged\n',
      });
      assert.equal(anonymous.statusCode, 401);
      assert.equal((await appendLog(h, job.id, 0, 'stale\n', { worker: 'w2' })).statusCode, 409);
      assert.equal(existsSync(logPath), false, 'nothing written for a refused chunk');
      const waiting = await h.jobs.submit(submission({ queue: 'web' }), alice);
      assert.equal((await appendLog(h, waiting.id, 0, 'early\n')).statusCode, 409);
      assert.equal((await appendLog(h, 'NOSUCHJOB', 0, 'lost\n')).statusCode, 404);
      assert.equal((await appendLog(h, job.id, -1, 'bad\n')).statusCode, 400);
      await appendLog(h, job.id, 0, 'line 1\n');
      await h.jobs.finish(job.id, 'w1', { artifacts: [] });
      assert.equal((await appendLog(h, job.id, 7, 'late\n')).statusCode, 409);
      assert.equal(readFileSync(logPath, 'utf8'), 'line 1\n');
    });
  });
}

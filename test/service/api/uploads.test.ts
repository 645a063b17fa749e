import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { jobFolder } from '../../../src/service/jobs/index.ts';
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
  });
}

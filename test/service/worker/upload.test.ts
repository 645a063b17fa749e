// A worker on a machine of its own: its base_dir is not the web node's, so it uploads what it built to the web
// node (`[worker] upload_url`), which then serves it. The build is the stand-in child: this is about the files'
// way, not the image.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ApiClient } from '../../../src/client/api-client.ts';
import { downloadJobFiles } from '../../../src/client/download.ts';
import { buildApp } from '../../../src/service/api/index.ts';
import { tempDir } from '../helpers.ts';
import { cluster, isFinished } from './cluster.ts';

test('a worker with its own base_dir uploads the files and the log; the web node serves them, sha256 intact', async (t) => {
  const { submit, startWorker, until, service, baseDir } = await cluster(t, {
    transport: 'embedded',
    standInMs: 300,
  });
  const { config, jobs, queues, users } = service();
  const app = await buildApp({
    config,
    jobs,
    queues,
    users,
    sessionKey: randomBytes(32),
    templatesDir: join(import.meta.dirname, '../../../templates'),
  });
  t.after(() => app.close());
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  await users.add({ username: 'uploader', password: 'uploader-password', admin: true });
  const { token } = await users.createToken('uploader');

  const workerBaseDir = join(tempDir(t), 'worker-images');
  startWorker({
    IMG_WORKER_BASE_DIR: workerBaseDir,
    IMG_WORKER_UPLOAD_URL: url,
    IMG_WORKER_UPLOAD_TOKEN: token,
  });
  const client = new ApiClient({ server: url, token });
  const [submitted] = await submit(1);
  const id = submitted?.id ?? '';
  const followed = (async () => {
    let text = '';
    for await (const event of client.followLog(id)) if (event.type === 'log') text += event.text;
    return text;
  })();
  const job = await until(id, isFinished, 30_000);
  assert.equal(job.status, 'DONE', job.error?.message);
  assert.deepEqual(
    job.artifacts.map((artifact) => [artifact.name, artifact.main]),
    [
      ['test.img', true],
      ['test.log', false],
    ],
  );

  const downloaded = await downloadJobFiles(client, job.id, tempDir(t));
  assert.deepEqual(
    downloaded.map((file) => file.name),
    ['test.img', 'test.log'],
    'downloaded and checked against the sha256 the worker computed',
  );
  assert.match(await followed, /job DONE/, 'a follower from the start sees the whole log when the job ends');
  assert.ok(
    existsSync(join(baseDir, job.queue, job.owner, job.id, 'test.img')),
    "in the web node's base_dir",
  );
  assert.deepEqual(
    existsSync(workerBaseDir) ? readdirSync(join(workerBaseDir, job.queue, job.owner)) : [],
    [],
    "the worker's local copy is gone",
  );
});

// A worker on a machine of its own: its base_dir is not the web node's, so it uploads what it built to the web
// node (`[worker] upload_url`), which then serves it. The build is the stand-in child: this is about the files'
// way, not the image.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient } from '../../../src/client/api-client.ts';
import { downloadJobFiles } from '../../../src/client/download.ts';
import { buildApp } from '../../../src/service/api/index.ts';
import { createLocalArtifactStore } from '../../../src/service/jobs/index.ts';
import { tempDir } from '../helpers.ts';
import { alice } from '../jobs/fixtures.ts';
import { cluster, isFinished } from './cluster.ts';

/** A web node serving the cluster's jobs, and a worker with a base_dir of its own that uploads to it. */
async function remoteWorker(t: TestContext, standInMs: number) {
  const built = await cluster(t, { transport: 'embedded', standInMs });
  const { config, jobs, queues, users, shares, site } = built.service();
  const app = await buildApp({
    config,
    jobs,
    files: createLocalArtifactStore(config.worker.base_dir),
    queues,
    users,
    shares,
    site,
    sessionKey: randomBytes(32),
    templatesDir: join(import.meta.dirname, '../../../templates'),
  });
  t.after(() => app.close());
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  await users.add({ username: 'uploader', password: 'uploader-password', admin: true });
  const { token } = await users.createToken('uploader');

  const workerBaseDir = join(tempDir(t), 'worker-images');
  built.startWorker({
    IMG_WORKER_BASE_DIR: workerBaseDir,
    IMG_WORKER_UPLOAD_URL: url,
    IMG_WORKER_UPLOAD_TOKEN: token,
  });
  return { ...built, client: new ApiClient({ server: url, token }), workerBaseDir };
}

test('a worker with its own base_dir uploads the files and the log; the web node serves them, sha256 intact', async (t) => {
  const { submit, until, baseDir, client, workerBaseDir } = await remoteWorker(t, 300);
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

test("a remote worker's log reaches the web node while the job is still BUILDING", async (t) => {
  // Long enough that only a cancel ends the build: everything below happens while it runs.
  const { submit, until, jobs, client } = await remoteWorker(t, 120_000);
  const [submitted] = await submit(1);
  const id = submitted?.id ?? '';
  const ticksOnWebNode = async () => [...(await client.log(id)).text.matchAll(/tick (\d+)/g)].length;
  const first = await eventually(ticksOnWebNode, 'the first lines of the build reach the web node');
  await eventually(
    async () => (await ticksOnWebNode()) > first,
    'the log on the web node grows as the build goes on',
  );
  assert.equal((await jobs().get(id))?.status, 'BUILDING');

  const followed = (async () => {
    let text = '';
    for await (const event of client.followLog(id)) if (event.type === 'log') text += event.text;
    return text;
  })();
  await jobs().cancel(id, alice);
  const job = await until(id, isFinished, 30_000);
  assert.equal(job.status, 'CANCELLED');
  const log = (await client.log(id)).text;
  assert.match(
    log,
    /^\S+ worker \S+ builds job/,
    'the final upload replaced the live log with the whole of it',
  );
  assert.match(log, /job CANCELLED/);
  assert.equal(await followed, log, 'a follower joining mid-build gets the whole log once, nothing doubled');
});

/** What `check` gives once it is truthy; fails saying `what` did not happen within 30 s. */
async function eventually<T>(check: () => Promise<T>, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const result = await check();
    if (result) return result;
    assert.ok(Date.now() < deadline, what);
    await sleep(100);
  }
}

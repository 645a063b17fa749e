import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { ApiClient, ApiError, type LogEvent } from '../../src/client/api-client.ts';
import { downloadArtifact, downloadJobFiles } from '../../src/client/download.ts';
import { failure } from '../../src/contract/failure.ts';
import { localJobFolder as jobFolder } from '../../src/service/jobs/artifact-store.ts';
import { harness } from '../service/api/harness.ts';
import { tempDir } from '../service/helpers.ts';
import { alice, submission, validKickstart } from '../service/jobs/fixtures.ts';
import { closedPort } from './closed-port.ts';
import { cuttingFetch } from './cutting-fetch.ts';

/** The API app of the service tests, listening on a free port, with a client for alice. */
async function listening(t: TestContext) {
  const h = await harness(t, 'sqlite');
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const address = h.app.server.address();
  const server = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  const token = h.as.alice.authorization.replace('Bearer ', '');
  return { ...h, server, token, client: new ApiClient({ server, token }) };
}

const payload = Buffer.alloc(256 * 1024, 'x');
const hashOf = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** A job finished by a pretend worker with an image, a log and SHA256SUMS in its folder. */
async function builtJob(h: Awaited<ReturnType<typeof listening>>) {
  const job = await h.jobs.submit(submission({ name: 'built' }), alice);
  await h.jobs.claim(['api'], 'w1');
  const folder = jobFolder(h.baseDir, job);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'built.tar'), payload);
  writeFileSync(join(folder, 'built.log'), 'line 1\nline 2\n');
  const sums = `${hashOf(payload)}  built.tar\n`;
  writeFileSync(join(folder, 'SHA256SUMS'), sums);
  const artifacts = [
    { name: 'SHA256SUMS', size: sums.length, sha256: hashOf(sums), main: false },
    { name: 'built.tar', size: payload.length, sha256: hashOf(payload), main: true },
  ];
  return { job: await h.jobs.finish(job.id, 'w1', { artifacts }), folder };
}

test('submit (JSON and multipart), get, list, patch, cancel, retry, delete and the catalog', async (t) => {
  const { client } = await listening(t);
  const json = await client.submit({
    kickstart: validKickstart,
    type: 'fs',
    arch: 'x86_64',
    name: 'by-json',
  });
  assert.equal(json.status, 'IN QUEUE');
  const form = await client.submitForm({
    kickstart: { content: validKickstart, filename: 'by-form.ks' },
    type: 'fs',
    arch: 'x86_64',
    tags: 'one, two',
  });
  assert.equal(form.name, 'by-form');
  assert.deepEqual(form.tags, ['one', 'two']);
  assert.equal((await client.get(json.id)).kickstart, validKickstart);
  assert.deepEqual(
    (await client.list({ owner: 'mine', tag: 'two' })).jobs.map((job) => job.id),
    [form.id],
  );
  assert.equal((await client.patch(json.id, { pinned: true })).pinned, true);
  assert.equal((await client.cancel(form.id)).status, 'CANCELLED');
  const retried = await client.retry(form.id);
  assert.notEqual(retried.id, form.id);
  await client.delete(form.id);
  await assert.rejects(client.get(form.id), { name: 'ApiError', status: 404, code: 'not-found' });
  assert.ok((await client.queues()).some((queue) => queue.name === 'requests' && queue.starts_builds));
  assert.ok((await client.imageTypes()).some((type) => type.name === 'fs'));
  assert.ok((await client.arches()).some((arch) => arch.name === 'x86_64'));
  assert.ok((await client.templates()).some((template) => template.name === 'debian-minimal'));
});

test('refusals are ApiErrors with status, code, message and the kickstart’s lines', async (t) => {
  const { client, server } = await listening(t);
  const refused = await client
    .submit({ kickstart: 'part / --size=big\n', type: 'fs', arch: 'x86_64' })
    .catch((error: unknown) => error);
  assert.ok(refused instanceof ApiError);
  assert.equal(refused.status, 400);
  assert.equal(refused.code, 'invalid-kickstart');
  assert.deepEqual(refused.kickstartErrors, [
    { line: 1, message: 'part: --size expects a number, got "big"' },
  ]);
  await assert.rejects(new ApiClient({ server }).list(), { status: 401, code: 'unauthorized' });
  const closed = await closedPort();
  await assert.rejects(new ApiClient({ server: `http://127.0.0.1:${closed}/` }).list(), (error: ApiError) => {
    assert.equal(error.status, 0);
    assert.equal(error.code, 'unreachable');
    assert.equal(error.message, `cannot reach the IMG server at http://127.0.0.1:${closed}/: ECONNREFUSED`);
    return true;
  });
  const notApi = new ApiClient({
    server: `${server}nothing/`,
    fetch: async () => new Response('<html>', { status: 502 }),
  });
  await assert.rejects(notApi.list(), { status: 502, code: 'bad-response' });
});

test('a browser session: login by cookie, and writes carry the CSRF token', async (t) => {
  const { client: _bearer, server, users } = await listening(t);
  await users.add({ username: 'carol', password: 'carol-password' });
  let cookie = '';
  const browserFetch: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(input, { ...init, headers });
    const set = response.headers.getSetCookie()[0];
    if (set) cookie = set.split(';')[0] ?? '';
    return response;
  };
  const browser = new ApiClient({ server, fetch: browserFetch });
  const session = await browser.startSession({ username: 'carol', password: 'carol-password' });
  assert.equal(session.username, 'carol');
  const job = await browser.submit({ kickstart: validKickstart, type: 'fs', arch: 'x86_64' });
  assert.equal(job.owner, 'carol');
  await browser.endSession();
  await assert.rejects(browser.list(), { status: 401 });
});

test('the log by offset, and followed as Server-Sent Events until the job ends', async (t) => {
  const h = await listening(t);
  const job = await h.jobs.submit(submission({ name: 'live' }), alice);
  await h.jobs.claim(['api'], 'w1');
  const folder = jobFolder(h.baseDir, job);
  mkdirSync(folder, { recursive: true });
  const log = join(folder, 'live.log');
  writeFileSync(log, 'first\n');
  assert.deepEqual(await h.client.log(job.id), { text: 'first\n', offset: 6 });
  assert.deepEqual(await h.client.log(job.id, 6), { text: '', offset: 6 });

  const events: LogEvent[] = [];
  const following = (async () => {
    for await (const event of h.client.followLog(job.id, { offset: 6 })) events.push(event);
  })();
  await new Promise((resolve) => setTimeout(resolve, 400));
  appendFileSync(log, 'second\nthird\n');
  await new Promise((resolve) => setTimeout(resolve, 600));
  await h.jobs.fail(job.id, 'w1', failure('internal', 'stopped by the test'));
  await following;
  assert.equal(events.map((event) => (event.type === 'log' ? event.text : '')).join(''), 'second\nthird\n');
  assert.deepEqual(events.at(-1), { type: 'end', status: 'ERROR' });
  assert.equal((await h.client.waitFor(job.id, { intervalMs: 10 })).status, 'ERROR');
});

test('downloads: every file checked against SHA256SUMS, and a cut transfer resumed with Range', async (t) => {
  const h = await listening(t);
  const { job, folder } = await builtJob(h);
  const out = tempDir(t);
  const image = job.artifacts.find((artifact) => artifact.main);
  assert.ok(image);

  const cutting = new ApiClient({ server: h.server, token: h.token, fetch: cuttingFetch(100_000) });
  await assert.rejects(downloadArtifact(cutting, job.id, image, out), /connection cut after 100000 bytes/);
  const kept = statSync(join(out, 'built.tar.part')).size;
  assert.ok(kept > 0 && kept <= 100_000);

  const progress: number[] = [];
  const files = await downloadJobFiles(h.client, job.id, out, {
    onProgress: ({ done }) => progress.push(done),
  });
  assert.deepEqual(
    files.map((file) => [file.name, file.resumedFrom]),
    [
      ['SHA256SUMS', 0],
      ['built.tar', kept],
    ],
  );
  assert.equal(progress.at(-1), payload.length);
  assert.ok(readFileSync(join(out, 'built.tar')).equals(payload));

  // A `.part` of another version of the file (its hash is not the server's ETag): If-Range makes the server
  // send the whole file rather than the rest of a different one.
  const changed = Buffer.alloc(payload.length, 'y');
  writeFileSync(join(folder, 'built.tar'), changed);
  writeFileSync(join(out, 'built.tar.part'), changed.subarray(0, 1000));
  const whole = await downloadArtifact(h.client, job.id, { ...image, sha256: hashOf(changed) }, out);
  assert.equal(whole.resumedFrom, 0);
  assert.ok(readFileSync(join(out, 'built.tar')).equals(changed));
});

test("answers are checked against the contract: a wrong one is refused by field, a newer server's failure class is read", async (t) => {
  const { client, jobs, server, token } = await listening(t);
  const job = await jobs.submit(submission({ name: 'checked' }), alice);
  await jobs.claim(['api'], 'w1');
  await jobs.fail(job.id, 'w1', failure('package-not-found', 'no vim', 'packages', { packages: ['vim'] }));
  const real = await client.get(job.id);
  assert.equal(real.error?.class, 'package-not-found');

  /** The real server's answer, changed on its way as another server (or a proxy) would send it. */
  const altered = (change: (body: Record<string, unknown>) => unknown) =>
    new ApiClient({
      server,
      token,
      fetch: async (input, init) => {
        const body = (await (await fetch(input, init)).json()) as Record<string, unknown>;
        return Response.json(change(body));
      },
    });
  const newer = await altered((body) => ({
    ...body,
    added_by_a_newer_server: true,
    error: { ...(body.error as object), class: 'quota-exceeded', owner: 'billing', details: { quota: 3 } },
  })).get(job.id);
  assert.equal(newer.error?.class, 'quota-exceeded');

  for (const [what, change, field] of [
    [
      'a status it does not know',
      (body: Record<string, unknown>) => ({ ...body, status: 'EXPLODED' }),
      '/status',
    ],
    ['an id that is a number', (body: Record<string, unknown>) => ({ ...body, id: 7 }), '/id'],
    [
      'a known detail of the wrong type',
      (body: Record<string, unknown>) => ({
        ...body,
        error: { ...(body.error as object), details: { packages: 'vim' } },
      }),
      '/error',
    ],
    ['a proxy’s JSON', () => ({ message: 'Bad gateway' }), '/'],
  ] as const) {
    await assert.rejects(altered(change).get(job.id), (error: ApiError) => {
      assert.equal(error.code, 'bad-response', what);
      assert.ok(error.message.includes(`(${field}`), `${what}: ${error.message}`);
      return true;
    });
  }
});

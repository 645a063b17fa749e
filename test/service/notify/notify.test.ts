import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SMTPServer } from 'smtp-server';
import { failure } from '../../../src/contract/failure.ts';
import { loadConfig } from '../../../src/service/config/index.ts';
import { localJobFolder as jobFolder } from '../../../src/service/jobs/artifact-store.ts';
import {
  createJobService,
  createLocalArtifactStore,
  type JobService,
} from '../../../src/service/jobs/index.ts';
import { SIGNATURE_HEADER, startNotifications } from '../../../src/service/notify/index.ts';
import { createSiteSettings } from '../../../src/service/site/index.ts';
import { closedPort } from '../../client/closed-port.ts';
import { tempDir, testDatabase } from '../helpers.ts';
import { alice, submission } from '../jobs/fixtures.ts';

interface Mail {
  to: string[];
  text: string;
}

/** A real SMTP server on a free port, keeping every mail it is given. */
async function smtpServer(t: TestContext): Promise<{ port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk) => (raw += chunk));
      stream.on('end', () => {
        // Quoted-printable soft line breaks are undone, so long lines read as written.
        mails.push({
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          text: raw.replace(/=\r?\n/g, ''),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.server.address() as AddressInfo).port, mails };
}

interface Hook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP receiver that answers 500 to the first `failures` calls, then 200. */
async function hookServer(t: TestContext, failures = 0): Promise<{ url: string; calls: Hook[] }> {
  const calls: Hook[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      calls.push({ path: request.url ?? '', headers: request.headers, body });
      response.statusCode = calls.length <= failures ? 500 : 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

async function setUp(t: TestContext, env: Record<string, string>) {
  const baseDir = tempDir(t);
  const config = loadConfig({
    env: { IMG_WORKER_BASE_DIR: baseDir, ...env },
    file: '/dev/null',
    warn: () => {},
  });
  const { db, dialect } = await testDatabase(t, 'sqlite');
  const jobs = createJobService({ db, dialect });
  const site = createSiteSettings(db, config);
  const errors: string[] = [];
  const notifications = startNotifications(
    config,
    jobs.events,
    createLocalArtifactStore(baseDir),
    (_error, context) => errors.push(context),
    { firstRetryMs: 20, site },
  );
  t.after(() => notifications.stop());
  return { jobs, baseDir, errors, site };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let tries = 0; tries < 200 && !check(); tries++) await sleep(25);
  assert.ok(check(), `waited in vain for ${what}`);
}

/** A job that reaches BUILDING and writes a log, as a worker would. */
async function buildingJob(jobs: JobService, baseDir: string, overrides = {}) {
  const job = await jobs.submit(submission(overrides), alice);
  await jobs.claim(['api'], 'w1');
  const folder = jobFolder(baseDir, job);
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, `${job.name}.log`),
    'step 1\nstep 2\nstep 3\nmkfs: no space left\nbuild failed\n',
  );
  return job;
}

test('the site’s name and base URL set in the pages win over img.conf in mails, until cleared', async (t) => {
  const smtp = await smtpServer(t);
  const { jobs, baseDir, site } = await setUp(t, {
    IMG_NOTIFY_SMTP_SERVER: `127.0.0.1:${smtp.port}`,
    IMG_NOTIFY_SMTP_SECURITY: 'none',
    IMG_NOTIFY_BASE_URL: 'https://conf.example/',
  });
  await site.change({ name: 'Example Images', baseUrl: 'https://img.example.org/builds' });
  const first = await buildingJob(jobs, baseDir, { name: 'first', email: 'dev@example.com' });
  await jobs.finish(first.id, 'w1', { artifacts: [] });
  await until(() => smtp.mails.length === 1, 'the first mail');
  assert.match(smtp.mails[0]?.text ?? '', /Subject: \[Example Images\] first DONE/);
  assert.match(
    smtp.mails[0]?.text ?? '',
    new RegExp(`Image: https://img\\.example\\.org/builds/api/v1/jobs/${first.id}/image`),
  );

  await site.change({ name: null, baseUrl: null });
  const second = await buildingJob(jobs, baseDir, { name: 'second', email: 'dev@example.com' });
  await jobs.finish(second.id, 'w1', { artifacts: [] });
  await until(() => smtp.mails.length === 2, 'the second mail');
  assert.match(smtp.mails[1]?.text ?? '', /Subject: \[IMG\] second DONE/);
  assert.match(
    smtp.mails[1]?.text ?? '',
    new RegExp(`Image: https://conf\\.example/api/v1/jobs/${second.id}/image`),
  );
});

test('mails on DONE and on ERROR (with the error and the last log lines), to the job’s address only', async (t) => {
  const smtp = await smtpServer(t);
  const { jobs, baseDir, errors } = await setUp(t, {
    IMG_NOTIFY_SMTP_SERVER: `127.0.0.1:${smtp.port}`,
    IMG_NOTIFY_SMTP_SECURITY: 'none',
    IMG_NOTIFY_BASE_URL: 'https://img.example/',
    IMG_NOTIFY_LOG_LINES: '2',
  });
  const failed = await buildingJob(jobs, baseDir, { name: 'broken', email: 'dev@example.com' });
  await jobs.fail(failed.id, 'w1', failure('out-of-space', 'no space left on device', 'filesystem'));
  await until(() => smtp.mails.length === 1, 'the ERROR mail');
  const [error] = smtp.mails;
  assert.deepEqual(error?.to, ['dev@example.com']);
  assert.match(error?.text ?? '', /Subject: \[IMG\] broken ERROR/);
  assert.match(
    error?.text ?? '',
    /Error: out-of-space \(the service's to fix \(tell its admin\), in step filesystem\): no space left on device/,
  );
  assert.match(error?.text ?? '', new RegExp(`Log: +https://img\\.example/api/v1/jobs/${failed.id}/log`));
  assert.match(
    error?.text ?? '',
    /The last 2 lines of the log:\r?\n\r?\nmkfs: no space left\r?\nbuild failed/,
  );
  assert.doesNotMatch(error?.text ?? '', /step 3/);

  const built = await buildingJob(jobs, baseDir, { name: 'fine', email: 'dev@example.com' });
  await jobs.finish(built.id, 'w1', { artifacts: [{ name: 'fine.tar', size: 1, sha256: 'ab', main: true }] });
  const quiet = await buildingJob(jobs, baseDir, { name: 'nobody' });
  await jobs.finish(quiet.id, 'w1', { artifacts: [] });
  await until(() => smtp.mails.length === 2, 'the DONE mail');
  await sleep(200);
  assert.equal(smtp.mails.length, 2, 'no mail for a job without an address');
  const done = smtp.mails[1]?.text ?? '';
  assert.match(done, /Subject: \[IMG\] fine DONE/);
  assert.match(done, new RegExp(`Image: https://img\\.example/api/v1/jobs/${built.id}/image`));
  assert.doesNotMatch(done, /Error:/);
  assert.deepEqual(errors, []);
});

test('an SMTP server that is down costs the job nothing: the failure is only reported', async (t) => {
  const { jobs, baseDir, errors } = await setUp(t, {
    IMG_NOTIFY_SMTP_SERVER: `127.0.0.1:${await closedPort()}`,
    IMG_NOTIFY_SMTP_SECURITY: 'none',
  });
  const job = await buildingJob(jobs, baseDir, { email: 'dev@example.com' });
  const failed = await jobs.fail(job.id, 'w1', failure('internal', 'x'));
  assert.equal(failed.status, 'ERROR');
  await until(() => errors.length === 1, 'the reported mail failure');
  assert.match(errors[0] ?? '', new RegExp(`mail about job ${job.id} to dev@example.com failed`));
});

test('webhooks: every status change, in order, signed, retried with backoff; job URLs when allowed', async (t) => {
  const hook = await hookServer(t, 2);
  const { jobs, baseDir, errors } = await setUp(t, {
    IMG_NOTIFY_WEBHOOKS: `${hook.url}/all`,
    IMG_NOTIFY_WEBHOOK_SECRET: 's3cret',
    IMG_NOTIFY_JOB_WEBHOOKS: 'yes',
    IMG_NOTIFY_WEBHOOK_ATTEMPTS: '3',
  });
  const job = await buildingJob(jobs, baseDir, { tags: [`webhook:${hook.url}/own`] });
  await jobs.finish(job.id, 'w1', { artifacts: [] });
  await until(() => hook.calls.length === 8, 'three events to two URLs, two of them failed once');

  for (const path of ['/all', '/own']) {
    const answered = hook.calls.filter((call) => call.path === path);
    const events = answered.map(
      (call) => JSON.parse(call.body) as { event: string; job: { status: string } },
    );
    const seen = events.map((event) => `${event.event} ${event.job.status}`);
    // The failed first tries come again before anything later: a receiver never sees a job go backwards.
    assert.deepEqual(
      [...new Set(seen)],
      ['job:queued IN QUEUE', 'job:started BUILDING', 'job:finished DONE'],
    );
    for (const call of answered) {
      const expected = `sha256=${createHmac('sha256', 's3cret').update(call.body).digest('hex')}`;
      assert.equal(call.headers[SIGNATURE_HEADER], expected);
      assert.equal(call.headers['content-type'], 'application/json');
    }
  }
  assert.deepEqual(errors, []);
});

test('webhooks give up after the configured tries, and ignore job URLs unless allowed', async (t) => {
  const hook = await hookServer(t, 1000);
  const { jobs, errors } = await setUp(t, {
    IMG_NOTIFY_WEBHOOKS: `${hook.url}/down`,
    IMG_NOTIFY_WEBHOOK_ATTEMPTS: '3',
  });
  await jobs.submit(submission({ tags: [`webhook:${hook.url}/own`] }), alice);
  await until(() => errors.length === 1, 'the webhook to be given up');
  assert.match(
    errors[0] ?? '',
    /webhook http:\/\/127\.0\.0\.1:\d+\/down \(job:queued\) failed 3 times; given up/,
  );
  assert.deepEqual(
    hook.calls.map((call) => [call.path, call.headers[SIGNATURE_HEADER]]),
    [
      ['/down', undefined],
      ['/down', undefined],
      ['/down', undefined],
    ],
  );
});

test('a failed job’s webhook carries its failure whole: class, whose to fix, step and details', async (t) => {
  const hook = await hookServer(t, 0);
  const { jobs, baseDir } = await setUp(t, { IMG_NOTIFY_WEBHOOKS: `${hook.url}/all` });
  const job = await buildingJob(jobs, baseDir, {});
  const sent = failure('script-failed', '%post #1 --erroronfail exited with 2', 'scripts', {
    script: { kind: 'post', number: 1, exit_code: 2 },
    log_line: { number: 9, text: '%post #1 --erroronfail: no such file' },
  });
  await jobs.fail(job.id, 'w1', sent);
  await until(() => hook.calls.some((call) => call.body.includes('"job:finished"')), 'the finished event');
  const finished = hook.calls
    .map((call) => JSON.parse(call.body) as { event: string; job: { error: unknown } })
    .find((body) => body.event === 'job:finished');
  assert.deepEqual(finished?.job.error, sent);
});

// The BOSS participant's protocol through a real RabbitMQ, with Debian's python3-pika in the role of BOSS. The
// server runs no build slots, so the jobs its participant files in `requests` wait: the tests finish them through
// the jobs module, as a worker would, since what is tested here is the protocol.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient } from '../../src/client/api-client.ts';
import { type Failure, failure } from '../../src/contract/failure.ts';
import { startParticipant } from '../../src/participant/participant.ts';
import { type Workitem, workitemTag } from '../../src/participant/workitem.ts';
import { loadConfig } from '../../src/service/config/index.ts';
import type { Job } from '../../src/service/jobs/index.ts';
import { type RunningServer, serve } from '../../src/service/serve.ts';
import { validKickstart } from '../service/jobs/fixtures.ts';

const amqpUrl = process.env.IMG_TEST_AMQP_URL;
const skip = amqpUrl
  ? false
  : 'IMG_TEST_AMQP_URL is unset (scripts/ci-services.sh starts a RabbitMQ and sets it)';
const bossScript = join(import.meta.dirname, 'boss.py');
const imger = join(import.meta.dirname, '../../bin/imger.js');
const silent = { info() {}, warn() {}, error() {} };

/** BOSS's side, through pika: Debian's python3 (the one on PATH may be a pyenv without pika). */
function boss(args: string[], input = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [bossScript, amqpUrl ?? '', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`boss.py ${args[0]}: ${stderr}`)),
    );
    child.stdin.end(input);
  });
}

async function replies(count: number, seconds = 30): Promise<Workitem[]> {
  const out = await boss(['replies', String(count), String(seconds)]);
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Workitem);
}

function fieldsOf(reply: Workitem | undefined): Record<string, unknown> {
  assert.ok(reply?.fields, 'a reply with fields');
  return reply.fields;
}

/** `[boss]` of img.conf as environment variables, pointing at the test's broker. */
function brokerEnv(): Record<string, string> {
  const broker = new URL(amqpUrl ?? 'amqp://x');
  return {
    IMG_BOSS_AMQP_HOST: broker.host,
    IMG_BOSS_AMQP_USER: decodeURIComponent(broker.username),
    IMG_BOSS_AMQP_PWD: decodeURIComponent(broker.password),
    IMG_BOSS_AMQP_VHOST: decodeURIComponent(broker.pathname.slice(1)),
  };
}

let serial = 0;
function workitem(fields: Record<string, unknown>): Workitem {
  serial++;
  return {
    fei: {
      wfid: `20261121-test-${process.pid}-${serial}`,
      expid: '0_0_1',
      subid: `sub${serial}`,
      engine_id: 'engine',
    },
    participant_name: 'build_image',
    wf_name: 'image_test',
    fields: { params: {}, dispatched_at: new Date().toISOString(), ...fields },
  };
}

const imageFields = (overrides: Record<string, unknown> = {}) => ({
  image: {
    kickstart: validKickstart,
    image_id: `image-${serial + 1}`,
    image_type: 'fs',
    name: 'boss-image',
    arch: 'x86_64',
    ...overrides,
  },
});

describe('the BOSS participant', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'img-participant-'));
  const name = `build_image_test_${process.pid}`;
  let server: RunningServer;

  before(async () => {
    const config = loadConfig({
      env: {
        IMG_DB_DATA_DIR: dir,
        IMG_WORKER_BASE_DIR: join(dir, 'images'),
        IMG_WEB_LISTEN: '127.0.0.1:0',
        IMG_WORKER_NUM_WORKERS: '0',
        ...brokerEnv(),
        IMG_BOSS_PARTICIPANT: name,
        IMG_BOSS_POLL_SECONDS: '1',
      },
      file: '/dev/null',
      warn: () => {},
    });
    await boss(['declare']);
    server = await serve(config, () => {}, { logger: false });
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The job a workitem became, once the participant has submitted it. */
  async function jobOf(item: Workitem): Promise<Job> {
    for (let tries = 0; tries < 100; tries++) {
      const { jobs } = await server.service.jobs.list({ tag: workitemTag(item) }, { limit: 5 });
      if (jobs.length > 1) assert.fail(`${jobs.length} jobs for one workitem`);
      const job = jobs[0] && (await server.service.jobs.get(jobs[0].id));
      if (job) return job;
      await sleep(200);
    }
    assert.fail('the participant made no job');
  }

  /** What a worker would do: take the job and end it. */
  async function finish(job: Job, error?: Failure): Promise<void> {
    assert.ok(await server.service.jobs.claimById(job.id, 'test-builder'));
    if (error) await server.service.jobs.fail(job.id, 'test-builder', error);
    else {
      const artifacts = [{ name: `${job.name}.tar.zst`, size: 1, sha256: 'ab'.repeat(32), main: true }];
      await server.service.jobs.finish(job.id, 'test-builder', { artifacts });
    }
  }

  test('a workitem with fields.image is built in `requests` and answered in both styles', async () => {
    const item = workitem({ ...imageFields({ tokenmap: 'RELEASE:12', extra_opts: [] }), keep: 'me' });
    await boss(['publish', name], JSON.stringify(item));
    const job = await jobOf(item);
    assert.equal(job.queue, 'requests');
    assert.equal(job.owner, 'boss');
    assert.equal(job.tokenmap, 'RELEASE:12');
    assert.ok(job.tags.includes('boss'));
    await finish(job);

    const [reply] = await replies(1);
    assert.ok(reply);
    assert.deepEqual(reply.fei, item.fei);
    assert.equal(reply.participant_name, 'build_image');
    const fields = fieldsOf(reply);
    const links = `${server.url}api/v1/jobs/${job.id}`;
    assert.deepEqual(fields.image, {
      ...(item.fields?.image as object),
      result: true,
      files_url: `${links}/files`,
      image_url: `${links}/image`,
      logfile_url: `${links}/log`,
      error: '',
      job_id: job.id,
    });
    assert.equal(fields.__result__, true);
    assert.equal(fields.keep, 'me');
    assert.deepEqual(
      { Status: fields.Status, URL: fields.URL, Image: fields.Image, Log: fields.Log, Error: fields.Error },
      {
        Status: 'DONE',
        URL: `${links}/files`,
        Image: `${links}/image`,
        Log: `${links}/log`,
        Error: undefined,
      },
    );
  });

  test('a flat workitem of the original IMG, whose build fails, gets ERROR with the reason', async () => {
    const item = workitem({
      kickstart: validKickstart,
      email: 'flat@example.com',
      id: '6f1d3a2e-0000-11e0-8000-000000000000',
      type: 'fs',
      name: 'boss-flat',
      release: '1.1',
    });
    await boss(['publish', name], JSON.stringify(item));
    const job = await jobOf(item);
    assert.equal(job.email, 'flat@example.com');
    assert.equal(job.arch, 'x86_64');
    assert.equal(job.tokenmap, 'RELEASE:1.1');
    const outOfSpace = failure('out-of-space', 'no space left on device', 'filesystem', {
      log_line: { number: 3, text: 'mkfs.ext4: No space left on device' },
    });
    await finish(job, outOfSpace);

    const fields = fieldsOf((await replies(1))[0]);
    assert.equal(fields.Status, 'ERROR');
    assert.equal(fields.Error, 'out-of-space: no space left on device');
    assert.equal(fields.__error__, 'out-of-space: no space left on device');
    assert.equal(fields.__result__, false);
    assert.equal(fields.Image, '');
    assert.match(String(fields.Log), new RegExp(`/api/v1/jobs/${job.id}/log$`));
    const image = fields.image as Record<string, unknown>;
    assert.equal(image.result, false);
    assert.equal(image.error, 'out-of-space: no space left on device');
    assert.deepEqual(image.failure, outOfSpace, 'the failure travels whole, details and all');
  });

  test('missing or wrong fields, and an invalid kickstart, are answered ERROR saying which', async () => {
    const missing = workitem(imageFields({ name: undefined, arch: undefined, extra_opts: '--no' }));
    const invalid = workitem(imageFields({ kickstart: 'part / --size=big\n' }));
    await boss(['publish', name], JSON.stringify(missing));
    await boss(['publish', name], JSON.stringify(invalid));
    const answers = await replies(2);
    const byWfid = (item: Workitem) =>
      fieldsOf(answers.find((answer) => answer.fei?.wfid === item.fei?.wfid));
    assert.equal(
      byWfid(missing).Error,
      'missing fields.image.name, fields.image.arch; fields.image.extra_opts must be a list of strings',
    );
    assert.equal(byWfid(missing).Status, 'ERROR');
    assert.equal((byWfid(missing).image as Record<string, unknown>).result, false);
    assert.match(
      String(byWfid(invalid).Error),
      /^IMG refused the job: the kickstart has 1 error\(s\); line 1: part: --size expects a number, got "big"$/,
    );
    const { jobs } = await server.service.jobs.list({ tag: workitemTag(missing) }, { limit: 1 });
    assert.deepEqual(jobs, []);
  });

  test('a message that is not JSON is rejected without requeue, and the participant goes on', async () => {
    await boss(['publish', name], 'this is not { JSON');
    await boss(['publish', name], '[1, 2, 3]');
    const after = workitem({});
    await boss(['publish', name], JSON.stringify(after));
    const [reply] = await replies(1);
    assert.deepEqual(reply?.fei, after.fei);
    assert.match(String(fieldsOf(reply).Error), /^missing fields\.kickstart/);
    assert.equal((await boss(['count', name])).trim(), '0');
    assert.deepEqual(await replies(1, 1), []);
  });

  test('a participant restarted mid-build finds the job of the redelivered workitem instead of building twice', async () => {
    const queue = `${name}_restart`;
    const { token } = await server.service.users.createToken('imager');
    const start = () =>
      startParticipant({
        amqpUrl: amqpUrl ?? '',
        name: queue,
        client: new ApiClient({ server: server.url, token }),
        queue: 'requests',
        linkBase: 'https://img.example/',
        prefetch: 1,
        pollMs: 200,
        log: silent,
      });
    const first = await start();
    await first.ready;
    const item = workitem(imageFields({ name: 'boss-restart' }));
    await boss(['publish', queue], JSON.stringify(item));
    const job = await jobOf(item);
    await first.stop();

    const second = await start();
    try {
      await second.ready;
      await sleep(1500);
      await finish(await jobOf(item));
      const [reply] = await replies(1);
      assert.deepEqual(reply?.fei, item.fei);
      const fields = fieldsOf(reply);
      assert.equal(fields.Status, 'DONE');
      assert.equal((fields.image as Record<string, unknown>).job_id, job.id);
      assert.equal(fields.Image, `https://img.example/api/v1/jobs/${job.id}/image`);
      const { jobs } = await server.service.jobs.list({ tag: workitemTag(item) }, { limit: 5 });
      assert.equal(jobs.length, 1);
      assert.equal((await boss(['count', queue])).trim(), '0');
    } finally {
      await second.stop();
    }
  });
  test('the base URL an admin set in the pages wins over the participant’s own in replies, until cleared', async () => {
    const queue = `${name}_site`;
    const { token } = await server.service.users.createToken('imager');
    const participant = await startParticipant({
      amqpUrl: amqpUrl ?? '',
      name: queue,
      client: new ApiClient({ server: server.url, token }),
      queue: 'requests',
      linkBase: 'https://own-conf.example/',
      prefetch: 1,
      pollMs: 200,
      log: silent,
    });
    try {
      await participant.ready;
      await server.service.site.change({ baseUrl: 'https://img.example.org/builds' });
      const item = workitem(imageFields({ name: 'boss-site' }));
      await boss(['publish', queue], JSON.stringify(item));
      const job = await jobOf(item);
      await finish(job);
      const [reply] = await replies(1);
      assert.equal(fieldsOf(reply).Image, `https://img.example.org/builds/api/v1/jobs/${job.id}/image`);

      await server.service.site.change({ baseUrl: null });
      const again = workitem(imageFields({ name: 'boss-site-cleared' }));
      await boss(['publish', queue], JSON.stringify(again));
      const second = await jobOf(again);
      await finish(second);
      const [cleared] = await replies(1);
      assert.equal(fieldsOf(cleared).Image, `https://own-conf.example/api/v1/jobs/${second.id}/image`);
    } finally {
      await server.service.site.change({ baseUrl: null });
      await participant.stop();
    }
  });

  test('`imger participant` killed mid-build: the workitem comes back and its job is answered once', async () => {
    const queue = `${name}_crash`;
    const { token } = await server.service.users.createToken('imager');
    const participantProcess = spawn(
      process.execPath,
      [imger, 'participant', '--config', '/dev/null', '--name', queue],
      {
        env: {
          ...process.env,
          ...brokerEnv(),
          IMG_SERVER: server.url,
          IMG_TOKEN: token,
          IMG_LOG_LEVEL: 'warn',
        },
        stdio: 'ignore',
      },
    );
    const exited = new Promise((resolve) => participantProcess.on('exit', resolve));
    const item = workitem(imageFields({ name: 'boss-crash' }));
    await boss(['publish', queue], JSON.stringify(item));
    const job = await jobOf(item);
    participantProcess.kill('SIGKILL');
    await exited;
    await sleep(500);
    assert.equal(
      (await boss(['count', queue])).trim(),
      '1',
      'the unacknowledged workitem is back in the queue',
    );

    const second = await startParticipant({
      amqpUrl: amqpUrl ?? '',
      name: queue,
      client: new ApiClient({ server: server.url, token }),
      queue: 'requests',
      prefetch: 1,
      pollMs: 200,
      log: silent,
    });
    try {
      await second.ready;
      await finish(await jobOf(item));
      const fields = fieldsOf((await replies(1))[0]);
      assert.equal(fields.Status, 'DONE');
      assert.equal((fields.image as Record<string, unknown>).job_id, job.id);
    } finally {
      await second.stop();
    }
  });
});

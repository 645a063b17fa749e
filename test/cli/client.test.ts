// The command line against a running server on its embedded defaults, with ONE real build (type fs of the shipped
// debian-minimal template) shared by every test: about a minute warm, several minutes on a cold cache.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stepNames } from '../../src/builder/steps.ts';
import { ApiClient, type Job } from '../../src/client/api-client.ts';
import { downloadArtifact } from '../../src/client/download.ts';
import { storedLoginPath } from '../../src/client/stored-login.ts';
import { loadConfig } from '../../src/service/config/index.ts';
import { type RunningServer, serve } from '../../src/service/serve.ts';
import { closedPort } from '../client/closed-port.ts';
import { cuttingFetch } from '../client/cutting-fetch.ts';

const imger = join(import.meta.dirname, '../../bin/imger.js');
const template = join(import.meta.dirname, '../../templates/debian-minimal.ks');
const skip = process.getuid?.() === 0 ? false : 'the native builder runs as root';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs imger as a user would; asynchronous, because the server it talks to runs in this process. */
function run(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [imger, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('imger against a running server', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'img-cli-'));
  let server: RunningServer;
  /** The user's environment: a config folder of its own, and no server or token from the caller's. */
  const env: NodeJS.ProcessEnv = { XDG_CONFIG_HOME: join(dir, 'config'), IMG_SERVER: '', IMG_TOKEN: '' };
  let built: Job;
  let submitRun: Run;

  before(async () => {
    const config = loadConfig({
      env: {
        IMG_DB_DATA_DIR: dir,
        IMG_WORKER_BASE_DIR: join(dir, 'images'),
        IMG_WEB_LISTEN: '127.0.0.1:0',
        IMG_WORKER_NUM_WORKERS: '1',
      },
      file: '/dev/null',
      warn: () => {},
    });
    server = await serve(config, () => {}, { logger: false });
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('login stores the token with mode 0600', async () => {
    const login = await run(['login', '--server', server.url, '-u', 'imager'], env, 'imager\n');
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /logged in to .* as imager/);
    const path = storedLoginPath(env);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).server, server.url);
    const wrong = await run(['login', '--server', server.url, '-u', 'imager'], env, 'wrong\n');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^imger: wrong user name or password\n$/);
  });

  test('submit with boss_client.py flags builds, waits and downloads with verified checksums', async () => {
    submitRun = await run(
      [
        'submit',
        '-s',
        '-k',
        template,
        '-t',
        'fs',
        '-n',
        'cli-fs',
        '-e',
        'builder@example.com',
        '-r',
        '12',
        '--download',
        join(dir, 'out'),
        '--json',
      ],
      env,
    );
    assert.equal(submitRun.code, 0, submitRun.stderr + submitRun.stdout.slice(-2000));
    built = JSON.parse(submitRun.stdout) as Job;
    assert.equal(built.status, 'DONE');
    assert.equal(built.name, 'cli-fs');
    assert.equal(built.email, 'builder@example.com');
    assert.equal(built.tokenmap, 'RELEASE:12');
    const main = built.artifacts.find((artifact) => artifact.main);
    assert.ok(main);
    for (const artifact of built.artifacts) {
      const path = join(dir, 'out', artifact.name);
      assert.equal(sha256(path), artifact.sha256, artifact.name);
    }
    const sums = readFileSync(join(dir, 'out', 'SHA256SUMS'), 'utf8');
    assert.match(sums, new RegExp(`${main.sha256}  ${main.name}`));
  });

  test('status, wait, log and list read the built job', async () => {
    assert.ok(built, 'needs the build of the test before');
    const wait = await run(['wait', built.id], env);
    assert.equal(wait.code, 0);
    assert.match(wait.stdout, new RegExp(`${built.id}  DONE  cli-fs  fs/x86_64`));
    const status = JSON.parse((await run(['status', built.id, '--json'], env)).stdout) as Job;
    assert.equal(status.id, built.id);
    const log = await run(['log', built.id], env);
    assert.match(log.stdout, /build succeeded in/);
    const followed = await run(['log', '-f', built.id], env);
    assert.equal(followed.stdout, log.stdout);
    assert.match(followed.stderr, /: DONE\n$/);
    const mine = JSON.parse((await run(['list', '--mine', '--status', 'DONE', '--json'], env)).stdout);
    assert.deepEqual(
      mine.jobs.map((job: Job) => job.id),
      [built.id],
    );
    const none = JSON.parse((await run(['list', '--queue', 'web', '--json'], env)).stdout);
    assert.deepEqual(none.jobs, []);
    // The build's manifest, through the worker and the API: a job against itself differs in nothing.
    const same = await run(['diff', built.id, built.id], env);
    assert.equal(same.code, 0, same.stderr);
    assert.equal(same.stdout, `from job ${built.id} to job ${built.id}: packages +0 -0 ~0, files +0 -0 ~0\n`);
    const unknown = await run(['diff', built.id, '01ARZ3NDEKTSV4RRFFQ69G5FAV'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no job 01ARZ3NDEKTSV4RRFFQ69G5FAV/);
  });

  test('download resumes a transfer cut midway, with Range', async () => {
    assert.ok(built, 'needs the build of the test before');
    const main = built.artifacts.find((artifact) => artifact.main);
    assert.ok(main && main.size > 4096);
    const token = JSON.parse(readFileSync(storedLoginPath(env), 'utf8')).token as string;
    const cutAt = Math.floor(main.size / 3);
    const cutting = new ApiClient({ server: server.url, token, fetch: cuttingFetch(cutAt) });
    const folder = join(dir, 'resumed');
    await assert.rejects(downloadArtifact(cutting, built.id, main, folder));
    const partial = join(folder, `${main.name}.part`);
    const kept = statSync(partial).size;
    assert.ok(kept > 0 && kept <= cutAt, `${kept} bytes kept of ${cutAt}`);

    const resumed = await run(['download', built.id, '-o', folder, '--image'], env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(
      resumed.stderr,
      new RegExp(`${main.name}: ${main.size} bytes, sha256 ok \\(resumed at byte ${kept}\\)`),
    );
    assert.equal(sha256(join(folder, main.name)), main.sha256);
    assert.equal(existsSync(partial), false);

    writeFileSync(join(folder, 'SHA256SUMS'), `${'0'.repeat(64)}  ${main.name}\n`);
    const tampered = await run(['download', built.id, '-o', folder, '--image', '--json'], env);
    assert.equal(tampered.code, 0, 'a wrong local SHA256SUMS is replaced by the server’s');
  });

  test('login names the token and its expiry; passwd changes your password, --revoke-tokens ends the login', async () => {
    const admin = new ApiClient({
      server: server.url,
      token: (await new ApiClient({ server: server.url }).login({ username: 'imager', password: 'imager' }))
        .token,
    });
    await admin.addUser({ username: 'dora', password: 'dora-password' });
    const own = { ...env, XDG_CONFIG_HOME: join(dir, 'dora') };
    const login = await run(
      ['login', '--server', server.url, '-u', 'dora', '--token-name', 'laptop', '--expires-in-days', '7'],
      own,
      'dora-password\n',
    );
    assert.equal(login.code, 0, login.stderr);
    const stored = JSON.parse(readFileSync(storedLoginPath(own), 'utf8')) as { token: string };
    const [token] = await new ApiClient({ server: server.url, token: stored.token }).tokens();
    assert.equal(token?.name, 'laptop');
    assert.ok(Date.parse(token?.expires ?? '') > Date.now() + 6 * 24 * 3600 * 1000);

    const wrong = await run(['passwd'], own, 'not-it\nnew-password-1\n');
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stderr, 'imger: wrong user name or password\n');
    const changed = await run(['passwd'], own, 'dora-password\nnew-password-1\n');
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal(changed.stdout, 'password changed\n');
    const revoking = await run(['passwd', '--revoke-tokens'], own, 'new-password-1\nnew-password-2\n');
    assert.equal(revoking.code, 0, revoking.stderr);
    assert.match(revoking.stdout, /tokens are revoked: run imger login again/);
    await assert.rejects(new ApiClient({ server: server.url, token: stored.token }).tokens(), {
      status: 401,
    });
    await new ApiClient({ server: server.url }).login({ username: 'dora', password: 'new-password-2' });
  });

  test('a cancelled job makes wait exit 4; retry and delete', async () => {
    const submitted = await run(['submit', '-k', template, '-t', 'fs', '-q', 'requests', '--json'], env);
    assert.equal(submitted.code, 0, submitted.stderr);
    const { id } = JSON.parse(submitted.stdout) as Job;
    assert.equal((await run(['cancel', id], env)).code, 0);
    const wait = await run(['wait', id, '--json'], env);
    assert.equal(wait.code, 4);
    assert.equal((JSON.parse(wait.stdout) as Job).status, 'CANCELLED');
    const retried = JSON.parse((await run(['retry', id, '--json'], env)).stdout) as Job;
    assert.notEqual(retried.id, id);
    assert.equal((await run(['cancel', retried.id], env)).code, 0);
    for (const job of [id, retried.id]) assert.equal((await run(['delete', job], env)).code, 0);
    const gone = await run(['status', id], env);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr, `imger: no job ${id} (not-found)\n`);
  });

  test('status and wait say why a job waits, then its step, as plain lines off a terminal', async () => {
    const { jobs, queues } = server.service;
    await queues.put({ name: 'paused', description: 'switched off', startsBuilds: false });
    const submitted = await run(['submit', '-k', template, '-t', 'fs', '-q', 'paused', '--json'], env);
    assert.equal(submitted.code, 0, submitted.stderr);
    const { id } = JSON.parse(submitted.stdout) as Job;
    const waiting = await run(['status', id], env);
    assert.match(waiting.stdout, /\n {2}waits: builds in queue paused are switched off by an admin\n/);

    const child = spawn(process.execPath, [imger, 'wait', id, '--interval', '0.2'], {
      env: { ...process.env, ...env },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const untilLine = async (pattern: RegExp) => {
      for (let tries = 0; !pattern.test(stderr); tries++) {
        if (tries > 200) assert.fail(`no ${pattern} in: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await untilLine(/IN QUEUE #1 \(builds in queue paused are switched off by an admin\)\n/);
    // A worker of the test's own takes it (claiming by id ignores the switch), and reports a step.
    await jobs.claimById(id, 'cli-test-worker');
    const progress = {
      step: 'packages' as const,
      index: 3,
      total: 9,
      steps: [...stepNames],
      step_started: new Date().toISOString(),
      packages: { done: 5, total: 40 },
    };
    await jobs.heartbeat(id, 'cli-test-worker', { ...progress, steps: [...progress.steps] });
    await untilLine(new RegExp(`${id}: BUILDING step 3/9 packages \\(5/40 packages\\)\n`));
    const status = await run(['status', id], env);
    assert.match(status.stdout, /\n {2}step: {2}step 3\/9 packages \(5\/40 packages\), \d+ s so far\n/);
    await jobs.heartbeat(id, 'cli-test-worker', {
      ...progress,
      steps: [...progress.steps],
      packages: { done: 6, total: 40 },
    });
    await jobs.finish(id, 'cli-test-worker', { artifacts: [] });
    assert.equal(await closed, 0);
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 2, `a line per state, step or reason, not per package: ${stderr}`);
    await jobs.remove(id, { username: 'imager', admin: true });
  });

  test('one-line errors: kickstart lines, not logged in, unreachable, no server', async () => {
    const bad = join(dir, 'bad.ks');
    writeFileSync(bad, 'lang en_US.UTF-8\npart / --size=big\nfrobnicate\n');
    const invalid = await run(['submit', '-k', bad, '-t', 'fs'], env);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /^imger: kickstart invalid: the kickstart has 2 error\(s\)\n/);
    assert.match(invalid.stderr, /\nimger: kickstart line 2: part: --size expects a number, got "big"\n/);
    assert.match(invalid.stderr, /\nimger: kickstart line 3: unknown command "frobnicate"\n$/);

    const stranger = { XDG_CONFIG_HOME: join(dir, 'nobody'), IMG_SERVER: server.url, IMG_TOKEN: '' };
    const anonymous = await run(['list'], stranger);
    assert.equal(anonymous.code, 3);
    assert.match(
      anonymous.stderr,
      /^imger: not logged in to .*: run `imger login --server .*` or set IMG_TOKEN\n$/,
    );

    const closed = await closedPort();
    const down = await run(['status', 'x', '--server', `http://127.0.0.1:${closed}`], env);
    assert.equal(down.code, 3);
    assert.equal(
      down.stderr,
      `imger: cannot reach the IMG server at http://127.0.0.1:${closed}/: ECONNREFUSED\n`,
    );

    const nowhere = await run(['list'], { XDG_CONFIG_HOME: join(dir, 'nobody'), IMG_SERVER: '' });
    assert.equal(nowhere.code, 2);
    assert.match(nowhere.stderr, /^imger: no server: run `imger login --server URL`/);

    const usage = await run(['submit', '-t', 'fs'], env);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /give -k\/--kickstart FILE or --template NAME/);
  });

  test('--help on every client command', async () => {
    const commands = [
      'login',
      'submit',
      'status',
      'wait',
      'log',
      'list',
      'cancel',
      'retry',
      'delete',
      'download',
      'diff',
    ];
    const helps = await Promise.all(
      [...commands, 'participant'].map((command) => run([command, '--help'], env)),
    );
    for (const [index, help] of helps.entries()) {
      assert.equal(help.code, 0);
      assert.match(help.stdout, /^Usage: imger /, commands[index]);
    }
    const submitHelp = helps[1]?.stdout ?? '';
    for (const flag of [
      '-s, --submit',
      '-k, --kickstart',
      '-t, --type',
      '-n, --name',
      '-e, --email',
      '-r, --release',
    ])
      assert.ok(submitHelp.includes(flag), flag);
  });
});

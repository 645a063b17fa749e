// Each failure a user can cause reaches the API and the CLI with its details, from real (small) builds of the
// shipped debian-minimal template as type fs: a missing package and an unreachable repository fail within
// seconds, before any image work; a failing %post --erroronfail reuses the cached base root of the other
// tests that build this template (a few seconds warm).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiClient, type Job } from '../../src/client/api-client.ts';
import { loadConfig } from '../../src/service/config/index.ts';
import { type RunningServer, serve } from '../../src/service/serve.ts';
import { closedPort } from '../client/closed-port.ts';

const imger = join(import.meta.dirname, '../../bin/imger.js');
const template = readFileSync(join(import.meta.dirname, '../../templates/debian-minimal.ks'), 'utf8');
const skip = process.getuid?.() === 0 ? false : 'the native builder runs as root';

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [imger, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

describe('a failed build tells its user what failed, whose it is to fix, and where', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'img-failures-'));
  let server: RunningServer;
  let client: ApiClient;
  let env: NodeJS.ProcessEnv;
  /** The job's log, numbered as the API's log_line counts. */
  const logLines = async (job: Job) => (await client.log(job.id)).text.split('\n');

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
    const token = (
      await new ApiClient({ server: server.url }).login({ username: 'imager', password: 'imager' })
    ).token;
    client = new ApiClient({ server: server.url, token });
    env = { XDG_CONFIG_HOME: join(dir, 'config'), IMG_SERVER: server.url, IMG_TOKEN: token };
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Submits, then waits with `imger wait` as a user would: the CLI's words and the API's record. */
  async function failed(fields: { kickstart: string; packages?: string[]; extra_repos?: string[] }) {
    const submitted = await client.submit({ ...fields, type: 'fs', arch: 'x86_64', name: 'failing' });
    const waited = await run(['wait', submitted.id], env);
    const job = await client.get(submitted.id);
    assert.equal(job.status, 'ERROR', (await logLines(job)).slice(-30).join('\n'));
    assert.equal(waited.code, 1, waited.stderr);
    const status = await run(['status', submitted.id], env);
    assert.equal(status.stdout, waited.stdout, '`status` and `wait` describe it alike');
    return { job, error: job.error!, cli: waited.stdout };
  }

  function assertLogLine(error: NonNullable<Job['error']>, lines: string[]) {
    const at = error.details.log_line;
    assert.ok(at?.number, 'the log line is numbered');
    assert.ok(lines[at.number - 1]?.includes(at.text), `line ${at.number} of the log holds "${at.text}"`);
  }

  test('a missing package: which, and the sources searched', async () => {
    const { job, error, cli } = await failed({ kickstart: template, packages: ['imger-no-such-package'] });
    assert.equal(error.class, 'package-not-found');
    assert.equal(error.owner, 'user');
    assert.equal(error.step, 'bootstrap');
    assert.deepEqual(error.details.packages, ['imger-no-such-package']);
    assert.ok(error.details.sources?.length, 'the sources searched are named');
    assertLogLine(error, await logLines(job));
    assert.match(cli, /error: package-not-found \(yours to fix, in step bootstrap\)/);
    assert.match(cli, /missing packages: imger-no-such-package/);
    assert.match(cli, /sources searched: \S+/);
    assert.match(cli, new RegExp(`\\(the error: line ${error.details.log_line?.number}\\)`));
  });

  test('an unreachable repository: its URL and what failed', async () => {
    const port = await closedPort();
    const { job, error, cli } = await failed({
      kickstart: template,
      extra_repos: [`http://127.0.0.1:${port}/debian bookworm`],
    });
    assert.equal(error.class, 'repository-unreachable');
    assert.equal(error.owner, 'user');
    assert.equal(error.step, 'resolve');
    assert.ok(
      error.details.repository?.url.startsWith(`http://127.0.0.1:${port}/debian`),
      error.details.repository?.url,
    );
    assertLogLine(error, await logLines(job));
    assert.match(cli, new RegExp(`repository: http://127\\.0\\.0\\.1:${port}/debian\\S*: `));
  });

  test('a failing %post --erroronfail: which script, its exit code, its first error line', async () => {
    const kickstart = `${template}\n%post --erroronfail\necho "imger-test: the marker file is missing" >&2\nexit 7\n%end\n`;
    const { job, error, cli } = await failed({ kickstart });
    assert.equal(error.class, 'script-failed');
    assert.equal(error.owner, 'user');
    assert.equal(error.step, 'scripts');
    assert.deepEqual(error.details.script, { kind: 'post', number: 2, exit_code: 7 });
    assertLogLine(error, await logLines(job));
    assert.match(error.details.log_line?.text ?? '', /imger-test: the marker file is missing/);
    assert.match(cli, /script: %post #2, exit code 7/);
  });
});

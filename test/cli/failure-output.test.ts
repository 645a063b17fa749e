// Every failure class as `imger status|wait` prints it, from the job as the API answers it: the classes no small
// build can cause (timeout, cancel, worker lost, out of space, internal) are checked here, the others also in
// failures.test.ts from real builds.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeJob } from '../../src/cli/client/output.ts';
import type { Job } from '../../src/client/api-client.ts';
import { FAILURE_CLASSES, type Failure, failure, failureClasses } from '../../src/contract/failure.ts';
import { NO_STANDING, presentJob } from '../../src/service/api/present.ts';
import { harness } from '../service/api/harness.ts';
import { databaseKinds } from '../service/helpers.ts';
import { alice, submission } from '../service/jobs/fixtures.ts';

const details: Record<(typeof FAILURE_CLASSES)[number], Failure['details']> = {
  'kickstart-error': { log_line: { number: 3, text: 'timezone Mars/Olympus is not in tzdata' } },
  'package-not-found': { packages: ['nope'], sources: ['http://deb.example/debian bookworm main'] },
  'script-failed': {
    script: { kind: 'post', number: 2, exit_code: 7 },
    log_line: { number: 40, text: 'boom' },
  },
  'repository-unreachable': { repository: { url: 'http://repo.example/', problem: '404 Not Found' } },
  timeout: { limit_s: 3600 },
  cancelled: {},
  'out-of-space': { log_line: { text: 'No space left on device' } },
  'worker-lost': {},
  'vm-failed': {},
  internal: {},
};

describe('each failure class reaches the API unchanged and the CLI with its details', () => {
  for (const cls of FAILURE_CLASSES) {
    test(cls, async (t) => {
      const { app, as, jobs } = await harness(t, databaseKinds[0]);
      const job = await jobs.submit(submission(), alice);
      await jobs.claim(['api'], 'w1');
      const sent = failure(
        cls,
        `the ${cls} message`,
        cls === 'worker-lost' || cls === 'vm-failed' ? null : 'bootstrap',
        details[cls],
      );
      await jobs.fail(job.id, 'w1', sent);
      const answer = await app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}`, headers: as.alice });
      const shown = answer.json() as Job;
      assert.deepEqual(shown.error, sent);
      const text = describeJob(shown, (path) => `http://img.example${path}`);
      const owner = failureClasses[cls].owner === 'user' ? 'yours to fix' : "the service's to fix";
      assert.ok(text.includes(`error: ${cls} (${owner}`), text);
      assert.ok(text.includes(failureClasses[cls].title), text);
      for (const value of [
        ...(sent.details.packages ?? []),
        ...(sent.details.sources ?? []),
        sent.details.repository?.url,
        sent.details.log_line?.text,
        sent.details.limit_s === undefined ? undefined : `${sent.details.limit_s} s`,
        sent.details.script ? `exit code ${sent.details.script.exit_code}` : undefined,
      ]) {
        if (value !== undefined) assert.ok(text.includes(value), `${value} in ${text}`);
      }
    });
  }

  test('build output quoted in a failure cannot drive the terminal', () => {
    const hostile = failure('script-failed', 'exited\u001b]0;owned\u0007', 'scripts', {
      log_line: { number: 1, text: '\u001b[2J\u001b[31mfake: all good\r\nerror: ok' },
    });
    const text = describeJob(
      { ...presentJob(jobOf(), NO_STANDING), status: 'ERROR', error: hostile },
      (p) => p,
    );
    const controls = [...text].filter((c) => c !== '\n' && (c < ' ' || (c >= '\u007f' && c <= '\u009f')));
    assert.deepEqual(controls, [], 'no control character but the line breaks');
    assert.match(text, /\\x1b\[2J/);
  });
});

function jobOf() {
  const now = new Date().toISOString();
  return {
    id: '01JOB',
    name: 'n',
    owner: 'alice',
    email: null,
    queue: 'api',
    type: 'fs' as const,
    arch: 'x86_64' as const,
    kickstart: '',
    built_kickstart: null,
    tokenmap: '',
    extra_repos: [],
    packages: [],
    tags: [],
    pinned: false,
    status: 'ERROR' as const,
    error: null,
    created: now,
    started: now,
    finished: now,
    worker: 'w1',
    attempt: 1,
    heartbeat: null,
    cancel_requested: false,
    updated: now,
    progress: null,
    retry_of: null,
    reused_from: null,
    build_key: null,
    fresh: false,
    artifacts: [],
  };
}

test('status names the job a job retries and the one whose files it shares, and its build key', () => {
  const key = 'a'.repeat(64);
  const text = describeJob(
    {
      ...presentJob(jobOf(), NO_STANDING),
      status: 'DONE',
      retry_of: '01RETRIED',
      reused_from: '01ORIGIN',
      build_key: key,
    },
    (p) => p,
  );
  assert.match(text, /\n {2}retry: of job 01RETRIED\n/);
  assert.match(text, /\n {2}reuse: the files of job 01ORIGIN, an identical build \(not built again\)\n/);
  assert.match(text, new RegExp(`\\n {2}key: +${key}\\n`));
  const plain = describeJob(presentJob(jobOf(), NO_STANDING), (p) => p);
  assert.doesNotMatch(plain, /retry:|reuse:|key:/);
});

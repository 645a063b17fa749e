import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CommandFailed } from '../../src/builder/command-failed.ts';
import type { BuildEvent } from '../../src/builder/events.ts';
import { BuildFailure, classifyFailure, firstErrorLine } from '../../src/builder/failures.ts';
import { runSteps, type Step } from '../../src/builder/runner.ts';

interface Trace {
  calls: string[];
}

function step(name: Step<Trace>['name'], body: Step<Trace>['run'], timeoutMs = 10_000): Step<Trace> {
  return { name, timeoutMs, run: body };
}

async function failureOf(promise: Promise<unknown>): Promise<BuildFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof BuildFailure, `expected a BuildFailure, got ${error}`);
  return error;
}

describe('runSteps', () => {
  test('runs the steps in order, with progress n/N, logs, package counts and timings', async () => {
    const events: BuildEvent[] = [];
    const trace: Trace = { calls: [] };
    await runSteps(
      [
        step('resolve', async (ctx, state) => {
          state.calls.push('resolve');
          ctx.log('resolved');
        }),
        step('bootstrap', async (ctx, state) => {
          state.calls.push('bootstrap');
          await ctx.run('sh', ['-c', 'echo from-a-tool']);
          ctx.packages(1, 2);
        }),
      ],
      trace,
      { deadlineMs: 10_000, onEvent: (e) => events.push(e) },
    );
    assert.deepEqual(trace.calls, ['resolve', 'bootstrap']);
    const summary = events.map((e) =>
      e.type === 'log'
        ? `log ${e.step} ${e.line}`
        : e.type === 'progress'
          ? `progress ${e.index}/${e.total} ${e.step}${e.packages ? ` ${e.packages.done}/${e.packages.total}` : ''}`
          : `finished ${e.step}`,
    );
    assert.deepEqual(summary, [
      'progress 1/2 resolve',
      'log resolve resolved',
      'finished resolve',
      'progress 2/2 bootstrap',
      'log bootstrap from-a-tool',
      'progress 2/2 bootstrap 1/2',
      'finished bootstrap',
    ]);
  });

  test('byte counts reach the events a whole percent at a time, the last one always', async () => {
    const bytes: { done: number; total: number }[] = [];
    await runSteps(
      [
        step('checksum', async (ctx) => {
          const total = 10 * 1024 ** 3;
          // A report per 4 MiB block, as a hash of a 10 GiB image would make: 2560 of them.
          for (let done = 0; done <= total; done += 4 * 1024 ** 2) ctx.bytes(done, total);
          ctx.bytes(total, total);
        }),
      ],
      { calls: [] },
      {
        deadlineMs: 10_000,
        onEvent: (e) => {
          if (e.type === 'progress' && e.bytes) bytes.push(e.bytes);
        },
      },
    );
    assert.equal(bytes.length, 101, 'one event a percent, 0 to 100');
    assert.deepEqual(bytes.at(-1), { done: 10 * 1024 ** 3, total: 10 * 1024 ** 3 });
    const done = bytes.map((b) => b.done);
    assert.deepEqual(
      done,
      [...done].sort((a, b) => a - b),
    );
  });

  test('cleanups run in reverse order on success and on failure, and a failing one does not stop the rest', async () => {
    const order: string[] = [];
    await runSteps(
      [
        step('resolve', async (ctx) => {
          ctx.onCleanup(() => void order.push('first'));
          ctx.onCleanup(() => {
            throw new Error('broken cleanup');
          });
          ctx.onCleanup(() => void order.push('second'));
        }),
      ],
      { calls: [] },
      { deadlineMs: 10_000 },
    );
    assert.deepEqual(order, ['second', 'first']);
    order.length = 0;
    const failure = await failureOf(
      runSteps(
        [
          step('resolve', async (ctx) => ctx.onCleanup(() => void order.push('cleaned'))),
          step('bootstrap', async () => {
            throw new Error('boom');
          }),
          step('packages', async () => assert.fail('must not run after a failure')),
        ],
        { calls: [] },
        { deadlineMs: 10_000 },
      ),
    );
    assert.equal(failure.kind, 'internal');
    assert.equal(failure.step, 'bootstrap');
    assert.deepEqual(order, ['cleaned']);
  });

  test('a step over its own timeout is a timeout failure of that step, and its tools are stopped', async () => {
    const failure = await failureOf(
      runSteps(
        [step('configure', (ctx) => ctx.run('sleep', ['30']).then(() => {}), 200)],
        { calls: [] },
        { deadlineMs: 10_000 },
      ),
    );
    assert.equal(failure.kind, 'timeout');
    assert.equal(failure.step, 'configure');
    assert.match(failure.message, /configure exceeded its timeout/);
  });

  test('the whole-build deadline stops the build in whatever step it is', async () => {
    const failure = await failureOf(
      runSteps(
        [
          step('resolve', async () => {}),
          step('bootstrap', (ctx) => ctx.run('sleep', ['30']).then(() => {})),
        ],
        { calls: [] },
        { deadlineMs: 300 },
      ),
    );
    assert.equal(failure.kind, 'timeout');
    assert.equal(failure.step, 'bootstrap');
    assert.match(failure.message, /deadline/);
  });

  test('cancel stops the running tool and is reported as cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const cleaned: string[] = [];
    const failure = await failureOf(
      runSteps(
        [
          step('scripts', async (ctx) => {
            ctx.onCleanup(() => void cleaned.push('scripts'));
            await ctx.run('sleep', ['30']);
          }),
        ],
        { calls: [] },
        { deadlineMs: 10_000, signal: controller.signal },
      ),
    );
    assert.equal(failure.kind, 'cancelled');
    assert.equal(failure.step, 'scripts');
    assert.deepEqual(cleaned, ['scripts']);
  });

  test('a step that ignores the signal is still stopped at its end', async () => {
    const controller = new AbortController();
    const failure = await failureOf(
      runSteps(
        [
          step('resolve', async () => controller.abort()),
          step('bootstrap', async () => assert.fail('must not start after cancel')),
        ],
        { calls: [] },
        { deadlineMs: 10_000, signal: controller.signal },
      ),
    );
    assert.equal(failure.kind, 'cancelled');
  });
});

function failed(stderr: string, code = 100): CommandFailed {
  return new CommandFailed('mmdebstrap', [], 'exit', code, '', stderr, 'bootstrap');
}

describe('failure classification', () => {
  test('package not found names the packages', () => {
    const failure = classifyFailure(
      failed('I: foo\nE: Unable to locate package imger-nonexistent\nE: Unable to locate package other\n'),
      'bootstrap',
    );
    assert.equal(failure.kind, 'package-not-found');
    assert.deepEqual(failure.details.packages, ['imger-nonexistent', 'other']);
    assert.equal(
      classifyFailure(failed('No match for argument: nopkg'), 'bootstrap').details.packages?.[0],
      'nopkg',
    );
  });

  test('repository unreachable, out of space and internal, each with the first real error line', () => {
    const unreachable = classifyFailure(
      failed(
        'I: start\nE: Failed to fetch http://x.example/dists/bookworm/InRelease  404  Not Found\nE: later',
      ),
      'bootstrap',
    );
    assert.equal(unreachable.kind, 'repository-unreachable');
    assert.match(unreachable.message, /^E: Failed to fetch/);
    const full = classifyFailure(
      failed('tar: ./usr/lib/x: Cannot write: No space left on device'),
      'filesystem',
    );
    assert.equal(full.kind, 'out-of-space');
    assert.equal(full.step, 'filesystem');
    const other = classifyFailure(failed('I: noise\nE: dpkg was interrupted\nI: more noise'), 'bootstrap');
    assert.equal(other.kind, 'internal');
    assert.match(other.message, /E: dpkg was interrupted/);
  });

  test("a package that fails its repository's signature check is the repository's fault, named with it", () => {
    const dnf = (verdict: string, name = 'imgtest-app') =>
      new CommandFailed(
        'dnf',
        [],
        'exit',
        1,
        [
          'Added signed repo from file:///srv/signed',
          'Added other repo from file:///srv/other',
          'Installing:',
          ` ${name}            noarch           1.0-1           signed           6.2 k`,
          ` imgtest-base           noarch           1.0-1           other           6.2 k`,
          verdict,
        ].join('\n'),
        'Error: GPG check FAILED',
        'bootstrap',
      );
    const untrusted = classifyFailure(
      dnf('Public key for imgtest-app-1.0-1.noarch.rpm is not trusted'),
      'bootstrap',
    );
    assert.equal(untrusted.kind, 'repository-unreachable');
    assert.equal(
      untrusted.message,
      'signature check failed for imgtest-app-1.0-1.noarch from repository signed: Public key for imgtest-app-1.0-1.noarch.rpm is not trusted',
    );
    assert.deepEqual(untrusted.details.packages, ['imgtest-app-1.0-1.noarch']);
    assert.deepEqual(untrusted.details.repository, {
      url: 'file:///srv/signed',
      problem: 'Public key for imgtest-app-1.0-1.noarch.rpm is not trusted',
    });
    const corrupt = classifyFailure(
      dnf('Problem opening package imgtest-base-1.0-1.noarch.rpm'),
      'bootstrap',
    );
    assert.equal(corrupt.kind, 'repository-unreachable');
    assert.equal(corrupt.details.repository?.url, 'file:///srv/other');
    // A repository's package name is the repository's text: read as a name, never as a pattern.
    const hostile = '.*+(a|b)[x]';
    const odd = classifyFailure(
      dnf(`Package ${hostile}-1.0-1.noarch.rpm is not signed`, hostile),
      'bootstrap',
    );
    assert.deepEqual(odd.details.packages, [`${hostile}-1.0-1.noarch`]);
    assert.equal(odd.details.repository?.url, 'file:///srv/signed');
    const unlisted = classifyFailure(dnf('Package elsewhere-2-1.x86_64.rpm is not signed'), 'bootstrap');
    assert.equal(unlisted.kind, 'repository-unreachable');
    assert.equal(unlisted.details.repository, undefined);
    assert.match(unlisted.message, /^signature check failed for elsewhere-2-1\.x86_64: Package /);
  });

  test('the first error line skips informational noise', () => {
    assert.equal(firstErrorLine('I: a\nI: b\nerror: it broke\nE: then this'), 'error: it broke');
    assert.equal(firstErrorLine('just one line'), 'just one line');
  });

  test('a BuildFailure passes through unchanged', () => {
    const failure = new BuildFailure('script-failed', 'scripts', '%post #1 exited with 3', {
      script: { kind: 'post', number: 1, exit_code: 3 },
    });
    assert.equal(classifyFailure(failure, 'disk'), failure);
  });
});

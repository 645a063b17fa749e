import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CommandFailed } from '../../src/builder/command-failed.ts';
import { run } from '../../src/builder/exec.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A shell that starts two background sleepers (a tree), writes their PIDs, then waits. */
const dir = await mkdtemp(join(tmpdir(), 'imger-exec-'));
after(() => rm(dir, { recursive: true, force: true }));
let scripts = 0;

async function treeScript(): Promise<{ args: string[]; pidFile: string }> {
  scripts += 1;
  const pidFile = join(dir, `pids-${scripts}`);
  const script = `sleep 300 & echo $! >> ${pidFile}; sh -c 'sleep 300' & echo $! >> ${pidFile}; echo started; wait`;
  return { args: ['-c', script], pidFile };
}

async function waitFor(condition: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('run', () => {
  test('returns the output, the exit code and the time taken', async () => {
    const result = await run('sh', ['-c', 'echo out; echo err >&2']);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, 'out\n');
    assert.equal(result.stderr, 'err\n');
    assert.ok(result.ms >= 0);
  });

  test('feeds input and reports every line as it comes, with its stream', async () => {
    const lines: string[] = [];
    await run('sh', ['-c', 'cat; echo tail >&2; printf unterminated'], {
      input: 'a\nb\n',
      onLine: (line, stream) => lines.push(`${stream}:${line}`),
    });
    assert.deepEqual(lines.sort(), ['stderr:tail', 'stdout:a', 'stdout:b', 'stdout:unterminated']);
  });

  test('throws CommandFailed naming the step, the code and the error line', async () => {
    const error = await run('sh', ['-c', 'echo "E: broken" >&2; exit 3'], { step: 'configure' }).catch(
      (e) => e,
    );
    assert.ok(error instanceof CommandFailed);
    assert.equal(error.reason, 'exit');
    assert.equal(error.code, 3);
    assert.equal(error.step, 'configure');
    assert.match(error.message, /\[configure\] sh exited with 3: E: broken/);
  });

  test('accepts exit codes declared as success', async () => {
    const result = await run('sh', ['-c', 'exit 1'], { okCodes: [0, 1] });
    assert.equal(result.code, 1);
  });

  test('reports a program that does not exist', async () => {
    const error = await run('/nonexistent/imger-tool', []).catch((e) => e);
    assert.ok(error instanceof CommandFailed);
    assert.equal(error.reason, 'spawn-error');
  });

  test('abort kills the whole process tree', async () => {
    const { args, pidFile } = await treeScript();
    const controller = new AbortController();
    const running = run('sh', args, {
      signal: controller.signal,
      onLine: (line) => line === 'started' && controller.abort(new Error('test cancel')),
    });
    const error = await running.catch((e) => e);
    assert.ok(error instanceof CommandFailed);
    assert.equal(error.reason, 'aborted');
    const pids = (await readFile(pidFile, 'utf8')).trim().split('\n').map(Number);
    assert.equal(pids.length, 2);
    await waitFor(() => pids.every((pid) => !alive(pid)));
  });

  test('a timeout kills the whole tree, escalating to SIGKILL when SIGTERM is ignored', async () => {
    const { pidFile } = await treeScript();
    const script = `trap '' TERM; sleep 300 & echo $! >> ${pidFile}; echo started; while :; do sleep 1; done`;
    const error = await run('sh', ['-c', script], { timeoutMs: 300, killGraceMs: 200 }).catch((e) => e);
    assert.ok(error instanceof CommandFailed);
    assert.equal(error.reason, 'timeout');
    const pids = (await readFile(pidFile, 'utf8')).trim().split('\n').map(Number);
    await waitFor(() => pids.every((pid) => !alive(pid)));
  });

  test('processes left behind by a command that exited are killed too', async () => {
    const { pidFile } = await treeScript();
    await run('sh', ['-c', `sleep 300 >/dev/null 2>&1 & echo $! >> ${pidFile}`]);
    const pids = (await readFile(pidFile, 'utf8')).trim().split('\n').map(Number);
    await waitFor(() => pids.every((pid) => !alive(pid)));
  });

  test('an already aborted signal starts nothing', async () => {
    const error = await run('sh', ['-c', 'exit 0'], { signal: AbortSignal.abort() }).catch((e) => e);
    assert.ok(error instanceof CommandFailed);
    assert.equal(error.reason, 'aborted');
  });
});

// A worker killed with SIGKILL in the middle of a real build (worker and build child both) leaves the build's
// work folder, its staging folder, what was mounted and attached under them and commands still running; the next
// worker to start on the host removes all of it, and nothing of a build whose owner still lives.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  type BuildRecord,
  buildRecordsDir,
  processStart,
  recordBuild,
} from '../../../src/builder/build-records.ts';
import { defaultCacheDir } from '../../../src/builder/cache.ts';
import { run } from '../../../src/builder/exec.ts';
import { defaultIdBase } from '../../../src/builder/sandbox.ts';
import { loopsBackedBelow, mountsBelow, removeTree } from '../../../src/builder/workspace.ts';
import { createJobService, createQueueCatalog } from '../../../src/service/jobs/index.ts';
import { createEmbeddedTransport } from '../../../src/service/queue/index.ts';
import type { BuildOrder } from '../../../src/service/worker/child-protocol.ts';
import { startWorker } from '../../../src/service/worker/index.ts';
import { tempDir, testDatabase } from '../helpers.ts';
import { validKickstart } from '../jobs/fixtures.ts';
import { testSettings } from './settings.ts';

const skip = process.getuid?.() === 0 ? false : 'the native builder, mounts and loop devices need root';
const oneBuild = fileURLToPath(new URL('./fixtures/one-build.ts', import.meta.url));
const recordsDir = buildRecordsDir(defaultCacheDir);

/** Running, as the leftover sweep judges it (a zombie has exited). */
const alive = async (pid: number): Promise<boolean> => (await processStart(pid)) !== undefined;

/** The record of the build whose staging folder is in outputDir, once the build has made it. */
async function recordOf(outputDir: string): Promise<BuildRecord> {
  for (;;) {
    for (const name of existsSync(recordsDir) ? readdirSync(recordsDir) : []) {
      if (!name.endsWith('.json')) continue;
      try {
        const record = JSON.parse(readFileSync(join(recordsDir, name), 'utf8')) as BuildRecord;
        if (record.folders.some((folder) => folder.startsWith(`${outputDir}/`))) return record;
      } catch {
        // Removed while read.
      }
    }
    await sleep(100);
  }
}

function spawnSleeper(cwd: string): ChildProcess {
  const sleeper = spawn('sleep', ['300'], { cwd, detached: true, stdio: 'ignore' });
  sleeper.unref();
  return sleeper;
}

test('a worker starting removes what a build killed with SIGKILL left, and nothing of a live build', {
  skip,
  timeout: 10 * 60_000,
}, async (t) => {
  const sleepers: ChildProcess[] = [];
  const loops: string[] = [];
  let folders: string[] = [];
  let worker: ChildProcess | undefined;
  // First, so it runs before the temporary folders' removal, which a mount left under them would stop.
  t.after(async () => {
    worker?.kill('SIGKILL');
    for (const sleeper of sleepers) sleeper.kill('SIGKILL');
    // Only when the worker under test did not: mounts and loop devices included, never another's.
    for (const folder of folders) await removeTree(folder);
  });

  const outputDir = tempDir(t);
  const order: BuildOrder = {
    job: {
      id: 'leftover',
      name: 'leftover',
      type: 'fs',
      arch: 'x86_64',
      // The build is killed while this script runs, well after the work folder is full.
      kickstart: `${validKickstart}%post\nsleep 300\n%end\n`,
      tokenmap: '',
      extra_repos: [],
      packages: [],
    },
    outputDir,
    builder: 'native',
    micOpts: [],
    deadlineMs: 20 * 60_000,
    gpgKeyDir: '',
    sandboxIdBase: defaultIdBase,
  };
  worker = spawn(process.execPath, ['--import', 'tsx', oneBuild], {
    env: { ...process.env, IMG_TEST_ORDER: JSON.stringify(order) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  worker.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const record = await recordOf(outputDir);
  folders = record.folders;
  const [workDir, stageDir] = record.folders as [string, string];
  while (!output.includes('"step":"scripts"')) {
    assert.equal(worker.exitCode, null, `the build ended early:\n${output.slice(-3000)}`);
    await sleep(200);
  }
  await sleep(1000);
  assert.ok(await alive(record.owner.pid), 'the build child runs');

  // What a builder can leave attached: a loop device alone, and mounts nested under both folders, one of them
  // from a loop device; a command of the build (outside its sandbox) still running in the work folder.
  writeFileSync(join(workDir, 'loose.img'), '');
  await run('truncate', ['-s', '16M', join(workDir, 'loose.img'), join(workDir, 'disk.img')]);
  await run('mkfs.ext4', ['-q', '-F', join(workDir, 'disk.img')]);
  for (const file of ['loose.img', 'disk.img']) {
    loops.push((await run('losetup', ['--find', '--show', join(workDir, file)])).stdout.trim());
  }
  mkdirSync(join(workDir, 'outer'));
  await run('mount', ['-t', 'tmpfs', 'tmpfs', join(workDir, 'outer')]);
  mkdirSync(join(workDir, 'outer', 'disk'));
  await run('mount', [loops[1]!, join(workDir, 'outer', 'disk')]);
  mkdirSync(join(stageDir, 'mnt'));
  await run('mount', ['-t', 'tmpfs', 'tmpfs', join(stageDir, 'mnt')]);
  sleepers.push(spawnSleeper(join(workDir, 'outer', 'disk')));

  // Two builds that live: one of this process (the test), one of another process.
  const liveRoot = tempDir(t);
  const mine = join(liveRoot, 'imger-mine');
  const theirs = join(liveRoot, '.imger-theirs');
  const releaseMine = await recordBuild(recordsDir, [mine]);
  t.after(releaseMine);
  const other = spawnSleeper(liveRoot);
  sleepers.push(other);
  const otherRecord = join(recordsDir, `test-live-${other.pid}.json`);
  const owner = { host: record.owner.host, boot: record.owner.boot, pid: other.pid ?? 0 };
  writeFileSync(
    otherRecord,
    JSON.stringify({ owner: { ...owner, start: await processStart(owner.pid) }, folders: [theirs] }),
  );
  t.after(() => run('rm', ['-f', otherRecord]).then(() => {}));
  for (const folder of [mine, theirs]) {
    mkdirSync(folder);
    writeFileSync(join(folder, 'work'), 'busy');
  }

  process.kill(record.owner.pid, 'SIGKILL');
  worker.kill('SIGKILL');
  await sleep(500);
  assert.ok(existsSync(workDir), 'a killed build leaves its work folder');

  const { db, dialect } = await testDatabase(t, 'sqlite');
  const transport = createEmbeddedTransport();
  const logged: string[] = [];
  const next = await startWorker({
    jobs: createJobService({ db, dialect }),
    transport,
    catalog: createQueueCatalog(db),
    queues: ['web'],
    slots: 1,
    settings: testSettings({ baseDir: tempDir(t), timeoutMs: 60_000 }),
    onError: (error, context) => t.diagnostic(`${context}: ${error}`),
    log: (line) => logged.push(line),
  });
  await next.stop();
  await transport.close();

  // A worker of another test file starting meanwhile sweeps the same records (one host, one cache): it may be
  // that worker that removes them, or is still removing them; alone, only this one can, and it must have.
  const removedHere = logged.some((line) => line.includes(`removed ${workDir}`));
  for (const folder of [workDir, stageDir]) {
    for (let waited = 0; existsSync(folder) && waited < 60_000; waited += 250) await sleep(250);
    assert.ok(!existsSync(folder), `${folder} is removed:\n${logged.join('\n')}`);
    assert.deepEqual(await mountsBelow(folder), [], `no mount is left under ${folder}`);
    assert.deepEqual(await loopsBackedBelow(folder), [], `no loop device is left on ${folder}`);
    if (removedHere) {
      assert.ok(
        logged.some((line) => line.includes(`removed ${folder}`)),
        `the worker logs ${folder}:\n${logged.join('\n')}`,
      );
    }
  }
  await sleep(200);
  assert.equal(sleepers[0]?.signalCode, 'SIGKILL', 'the command left running is killed');
  assert.equal(readFileSync(join(mine, 'work'), 'utf8'), 'busy', "this process's build is left alone");
  assert.equal(readFileSync(join(theirs, 'work'), 'utf8'), 'busy', 'another live build is left alone');
  assert.ok(existsSync(otherRecord), 'and so is its record');
  assert.ok(await alive(other.pid ?? 0), 'and its process');
});

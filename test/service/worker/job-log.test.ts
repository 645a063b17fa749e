import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { JobLog } from '../../../src/service/worker/job-log.ts';
import { tempDir } from '../helpers.ts';

test("a job built again finds its failure's line in this run only, numbered in the whole log", async (t) => {
  const path = join(tempDir(t), 'job.log');
  // The first attempt's log, which names the same failure, with a line that is not ASCII.
  writeFileSync(path, 'T worker w builds job j (attempt 1)\nT build failed: första\nT job ERROR: x\n');
  const log = new JobLog(path, (error) => assert.fail(error));
  log.line('worker w builds job j (attempt 2)');
  log.line('build failed: second');
  log.line('job ERROR: second');
  await log.close();
  assert.deepEqual(await log.find(['not there', 'build failed: ']), {
    number: 5,
    text: 'build failed: second',
  });
  assert.equal(await log.find(['attempt 1']), undefined);
  assert.equal(readFileSync(path, 'utf8').split('\n').length, 7);
});

test('a log new with this run is numbered from its first line', async (t) => {
  const path = join(tempDir(t), 'job.log');
  const log = new JobLog(path, (error) => assert.fail(error));
  log.line('job ERROR: first');
  await log.close();
  assert.deepEqual(await log.find(['job ERROR: ']), { number: 1, text: 'job ERROR: first' });
});

test('a line break in a message cannot forge a line of the log: every line it makes is stamped', async (t) => {
  const path = join(tempDir(t), 'job.log');
  const log = new JobLog(path, (error) => assert.fail(error));
  log.line('[scripts] x\n2026-01-01T00:00:00.000Z job DONE\r\nmore\rend');
  await log.close();
  const lines = readFileSync(path, 'utf8').split('\n').slice(0, -1);
  assert.equal(lines.length, 4);
  const stamp = lines[0]!.split(' ')[0]!;
  assert.match(stamp, /^\d{4}-\d\d-\d\dT/);
  assert.notEqual(stamp, '2026-01-01T00:00:00.000Z');
  for (const line of lines) assert.ok(line.startsWith(`${stamp} `), line);
  assert.equal(lines[1], `${stamp} 2026-01-01T00:00:00.000Z job DONE`);
});

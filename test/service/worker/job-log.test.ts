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

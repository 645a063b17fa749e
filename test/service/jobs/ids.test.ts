import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeTime, isValid } from 'ulid';
import { createJobIds } from '../../../src/service/jobs/ids.ts';

test('a job id follows the newest stored one, even one from a process whose clock is ahead', () => {
  const time = Date.parse('2026-01-01T00:00:00Z');
  const here = createJobIds();
  const there = createJobIds();
  const ahead = there(time + 5000, null);
  const ids = [here(time, ahead)];
  for (let i = 0; i < 50; i++) ids.push(here(time, ids.at(-1) ?? null));
  for (const id of ids) assert.ok(isValid(id), id);
  assert.ok(ids[0]! > ahead, `${ids[0]} after ${ahead}`);
  assert.deepEqual([...ids].sort(), ids, 'each later than the one before');
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(decodeTime(ids[0]!), time + 5000, 'in the newest one’s millisecond');
});

test('two processes following the same newest id take different ids', () => {
  const time = Date.parse('2026-01-01T00:00:00Z');
  const newest = createJobIds()(time + 1, null);
  const taken = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const id = createJobIds()(time, newest);
    assert.ok(id > newest);
    taken.add(id);
  }
  assert.equal(taken.size, 1000);
});

test('without a later stored id, ids keep their own time', () => {
  const time = Date.parse('2026-01-01T00:00:00Z');
  const ids = createJobIds();
  const older = ids(time - 1000, null);
  assert.equal(decodeTime(ids(time, older)), time);
});

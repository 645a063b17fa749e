// The guard every statement runs through (the process's connection, and the long reads of SQLite's background
// connection): a locked SQLite is waited for without blocking, an outage becomes one `unavailable` that the
// database's health hears of once, and a statement's own error is passed on untouched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runGuarded } from '../../../src/service/db/guard.ts';
import { DatabaseHealth, type HealthChange } from '../../../src/service/db/health.ts';
import { ServiceError } from '../../../src/service/errors.ts';

const locked = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

function watchedHealth() {
  const health = new DatabaseHealth();
  const changes: HealthChange['reachable'][] = [];
  health.onChange((change) => changes.push(change.reachable));
  return { health, changes };
}

test('a statement SQLite finds locked runs again after growing pauses until it answers, with no outage told', async () => {
  const { health, changes } = watchedHealth();
  const pauses: number[] = [];
  let tries = 0;
  const answer = await runGuarded(
    async () => {
      tries += 1;
      if (tries < 6) throw locked();
      return 'rows';
    },
    { health, mayRetry: () => true, pause: async (ms) => void pauses.push(ms) },
  );
  assert.equal(answer, 'rows');
  assert.deepEqual(pauses, [1, 2, 4, 8, 16]);
  assert.deepEqual(changes, []);
});

test('locked past its deadline, a statement is an outage: unavailable with Retry-After, told once, then its end', async () => {
  const { health, changes } = watchedHealth();
  const stillLocked = () =>
    runGuarded(
      async () => {
        throw locked();
      },
      {
        health,
        mayRetry: () => true,
        pause: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        deadlineMs: 30,
      },
    );
  for (let attempt = 0; attempt < 2; attempt++) {
    await assert.rejects(stillLocked(), (error: unknown) => {
      assert.ok(error instanceof ServiceError);
      assert.equal(error.code, 'unavailable');
      assert.ok((error.retryAfterSeconds ?? 0) > 0);
      return true;
    });
  }
  assert.deepEqual(changes, [false]);
  assert.equal(
    await runGuarded(async () => 'rows', { health, mayRetry: () => true, pause: async () => {} }),
    'rows',
  );
  assert.deepEqual(changes, [false, true]);
});

test('a locked statement that may not run again fails at once, and a statement’s own error passes untouched', async () => {
  const { health, changes } = watchedHealth();
  let tries = 0;
  await assert.rejects(
    runGuarded(
      async () => {
        tries += 1;
        throw locked();
      },
      { health, mayRetry: () => false, pause: async () => assert.fail('no pause') },
    ),
    (error: unknown) => error instanceof ServiceError && error.code === 'unavailable',
  );
  assert.equal(tries, 1);
  const mistake = Object.assign(new Error('no such table: nowhere'), { code: 'SQLITE_ERROR' });
  await assert.rejects(
    runGuarded(
      async () => {
        throw mistake;
      },
      { health, mayRetry: () => true, pause: async () => assert.fail('no pause') },
    ),
    (error: unknown) => error === mistake,
  );
  // The database answered, with a refusal of its own: the outage the first statement told is over.
  assert.deepEqual(changes, [false, true]);
});

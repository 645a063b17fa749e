// Writes asked for together share one SQLite transaction, yet each caller gets its own answer: a write that fails
// takes no other with it, an outage fails the group at once, and nothing asked for while a group commits is lost.
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { groupCommit } from '../../../src/service/db/group-commit.ts';
import type { Database } from '../../../src/service/db/schema.ts';
import { ServiceError } from '../../../src/service/errors.ts';
import { testDatabase } from '../helpers.ts';

/** A table of its own in a fresh SQLite, and a writer into it that records how each write was run. */
async function rows(
  t: TestContext,
  options: { failWith?: (id: number) => Error | undefined; inGroup?: (id: number) => void } = {},
) {
  const { db } = await testDatabase(t, 'sqlite');
  await sql`create table things (id integer primary key)`.execute(db);
  const grouped: Array<{ id: number; trx: Kysely<Database> }> = [];
  const alone: number[] = [];
  const insert = async (executor: Kysely<Database>, id: number) => {
    const error = options.failWith?.(id);
    if (error) throw error;
    await sql`insert into things (id) values (${id})`.execute(executor);
    return `stored ${id}`;
  };
  const write = groupCommit(
    db,
    async (trx, id: number) => {
      grouped.push({ id, trx });
      options.inGroup?.(id);
      return insert(trx, id);
    },
    async (id: number) => {
      alone.push(id);
      return insert(db, id);
    },
  );
  const stored = async () =>
    (await sql<{ id: number }>`select id from things order by id`.execute(db)).rows.map((row) => row.id);
  return { db, write, grouped, alone, stored };
}

test('writes asked for in the same turn are committed in one transaction, each answered with its own result', async (t) => {
  const { write, grouped, alone, stored } = await rows(t);
  const answers = await Promise.all([write(1), write(2), write(3)]);
  assert.deepEqual(answers, ['stored 1', 'stored 2', 'stored 3']);
  assert.deepEqual(
    grouped.map((one) => one.id),
    [1, 2, 3],
  );
  assert.ok(grouped[0]!.trx.isTransaction, 'run in a transaction');
  assert.ok(
    grouped.every((one) => one.trx === grouped[0]!.trx),
    'the same transaction for all three',
  );
  assert.deepEqual(alone, []);
  assert.deepEqual(await stored(), [1, 2, 3]);
});

test('a write asked for alone runs alone, outside any group', async (t) => {
  const { write, grouped, alone, stored } = await rows(t);
  assert.equal(await write(7), 'stored 7');
  assert.deepEqual(grouped, []);
  assert.deepEqual(alone, [7]);
  assert.deepEqual(await stored(), [7]);
});

test('a write that fails in a group fails alone: the others are tried again one by one and stored', async (t) => {
  const { write, alone, stored } = await rows(t);
  // The second 1 breaks the primary key, and with it the group's transaction, which stores none of the three.
  const answers = await Promise.allSettled([write(1), write(1), write(2)]);
  assert.equal(answers[0]!.status, 'fulfilled');
  assert.equal(answers[1]!.status, 'rejected');
  assert.match(String((answers[1] as PromiseRejectedResult).reason), /UNIQUE constraint failed: things\.id/);
  assert.deepEqual(answers[2], { status: 'fulfilled', value: 'stored 2' });
  assert.deepEqual([...alone].sort(), [1, 1, 2]);
  assert.deepEqual(await stored(), [1, 2], 'each row once, the failed write none');
});

test('a database that cannot be reached fails the whole group at once, nothing tried again', async (t) => {
  const outage = new ServiceError('unavailable', 'the database cannot be reached');
  const { write, grouped, alone, stored } = await rows(t, {
    failWith: (id) => (id === 2 ? outage : undefined),
  });
  const answers = await Promise.allSettled([write(1), write(2), write(3)]);
  assert.deepEqual(
    answers.map((answer) => answer.status === 'rejected' && answer.reason),
    [outage, outage, outage],
  );
  assert.deepEqual(
    grouped.map((one) => one.id),
    [1, 2],
    'the group stopped at the outage',
  );
  assert.deepEqual(alone, []);
  assert.deepEqual(await stored(), [], 'the first write rolled back with its group');
});

test('writes asked for while a group commits form the next group, none lost', async (t) => {
  const late: Array<Promise<string>> = [];
  const { write, grouped, stored } = await rows(t, {
    inGroup: (id) => {
      if (id === 1) late.push(write(3), write(4));
    },
  });
  assert.deepEqual(await Promise.all([write(1), write(2)]), ['stored 1', 'stored 2']);
  assert.deepEqual(await Promise.all(late), ['stored 3', 'stored 4']);
  const [first, , second] = grouped;
  assert.ok(first!.trx !== second!.trx, 'a group of their own');
  assert.deepEqual(
    grouped.map((one) => one.id),
    [1, 2, 3, 4],
  );
  assert.deepEqual(await stored(), [1, 2, 3, 4]);
});

test('a burst larger than a group commits in several transactions, every write stored', async (t) => {
  const { write, grouped, stored } = await rows(t);
  const ids = Array.from({ length: 70 }, (_, i) => i + 1);
  await Promise.all(ids.map((id) => write(id)));
  const transactions = [...new Set(grouped.map((one) => one.trx))];
  assert.deepEqual(
    transactions.map((trx) => grouped.filter((one) => one.trx === trx).length),
    [64, 6],
  );
  assert.deepEqual(await stored(), ids);
});

test('a write that throws instead of returning a promise still answers its caller', async (t) => {
  const { db } = await testDatabase(t, 'sqlite');
  const write = groupCommit(
    db,
    async () => 'grouped',
    (id: number) => {
      throw new Error(`no write for ${id}`);
    },
  );
  await assert.rejects(write(1), /no write for 1/);
});

test('groups commit one after another, in the order their writes were asked for', async (t) => {
  const { db } = await testDatabase(t, 'sqlite');
  const events: string[] = [];
  let second: Promise<string> | undefined;
  const write = groupCommit(
    db,
    async (_trx, id: number) => `grouped ${id}`,
    async (id: number) => {
      events.push(`start ${id}`);
      // Asked for while the first write is under way, off the loop (as a PostgreSQL round trip is).
      if (id === 1) second = write(2);
      await new Promise((resolve) => setTimeout(resolve, 50));
      events.push(`end ${id}`);
      return `alone ${id}`;
    },
  );
  assert.equal(await write(1), 'alone 1');
  assert.equal(await second, 'alone 2');
  assert.deepEqual(events, ['start 1', 'end 1', 'start 2', 'end 2']);
});

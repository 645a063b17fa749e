// SQLite's second connection, in a thread of its own: the write-ahead log is copied into the database there, not
// inside the commits of the connection that serves requests, so the log stays small while that connection writes;
// long reads run there while the event loop goes on; both connections are gone once the database is closed.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import {
  BackgroundGone,
  FALLBACK_AUTOCHECKPOINT_PAGES,
  startBackgroundConnection,
} from '../../../src/service/db/background-connection.ts';
import { guardedLongRead } from '../../../src/service/db/connect.ts';
import { DatabaseHealth } from '../../../src/service/db/health.ts';
import { openDatabase } from '../../../src/service/db/index.ts';
import { databaseUnavailable, isUnavailable } from '../../../src/service/db/outage.ts';
import { testDatabase } from '../helpers.ts';

test('the log is checkpointed beside the writing connection, and removed when the database closes', async (t) => {
  // As a server opens it; the helper asserts afterwards that the background connection never failed.
  const handle = await testDatabase(t, 'sqlite', { asServer: true });
  const wal = join(handle.dataDir, 'img.sqlite-wal');
  await sql`create table filler (page blob)`.execute(handle.db);
  // Commits of a page each, as many as the committing connection's own fallback lets the log hold before it
  // checkpoints. After each thousand the test waits until the log is all copied into the database, which only the
  // thread does here, for as long as a loaded machine may keep the thread from its 200 ms tick.
  let largest = 0;
  for (let commit = 0; commit < FALLBACK_AUTOCHECKPOINT_PAGES; commit++) {
    await sql`insert into filler values (zeroblob(3000))`.execute(handle.db);
    if (commit % 1000 === 999) {
      largest = Math.max(largest, statSync(wal).size);
      assert.ok(
        await checkpointedWithin(handle.dataDir, 20_000),
        `the thread copied the log after commit ${commit}`,
      );
    }
  }
  const fallbackBytes = FALLBACK_AUTOCHECKPOINT_PAGES * 4096;
  assert.ok(
    largest < fallbackBytes / 2,
    `the log grew to ${largest} bytes; without the thread it reaches ${fallbackBytes}`,
  );
  await handle.close();
  assert.ok(!existsSync(wal), 'the last connection to close checkpointed the log and removed it');
});

/**
 * Whether every frame of the log is in the database file within `ms`: the wal-index header's mxFrame (the log's
 * last frame, at byte 16) equals the checkpoint's nBackfill (at byte 96), as https://sqlite.org/walformat.html
 * lays out the `-shm` file, in the machine's byte order. Read from the file, so the test checkpoints nothing.
 */
async function checkpointedWithin(dataDir: string, ms: number): Promise<boolean> {
  const shm = join(dataDir, 'img.sqlite-shm');
  const word = (header: Buffer, at: number) =>
    endianness() === 'LE' ? header.readUInt32LE(at) : header.readUInt32BE(at);
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(50)) {
    const header = readFileSync(shm).subarray(0, 100);
    if (word(header, 16) === word(header, 96)) return true;
  }
  return false;
}

test('a background connection that cannot start is told once, and stopping it afterwards still ends', async () => {
  const failures: unknown[] = [];
  let told = () => {};
  const failed = new Promise<void>((resolve) => {
    told = resolve;
  });
  const thread = startBackgroundConnection('/nonexistent/img.sqlite', (error) => {
    failures.push(error);
    told();
  });
  await failed;
  // The thread is gone and unref'd: a stop that waited for its answer would never settle.
  await thread.stop();
  assert.equal(failures.length, 1);
  assert.match(String(failures[0]), /unable to open database file|does not exist/);
});

test('a long read runs in the thread while the event loop turns; it only reads; without the thread, on the loop', async (t) => {
  const server = await testDatabase(t, 'sqlite', { asServer: true });
  const queues = () => server.db.selectFrom('queues').select(['name', 'starts_builds']).orderBy('name');
  const expected = await queues().execute();
  assert.ok(expected.length > 0, 'the default queues are there to read');

  const turnsDuring = async (read: () => Promise<unknown>) => {
    let turned = false;
    setImmediate(() => {
      turned = true;
    });
    const rows = await read();
    return { rows, turned };
  };
  assert.deepEqual(await turnsDuring(() => server.longRead(queues())), { rows: expected, turned: true });
  await assert.rejects(server.longRead(server.db.deleteFrom('queues')), /only reads/);
  // SQLite's code comes back with its error, so that the guard tells a locked database (SQLITE_BUSY, waited for)
  // from a statement's own mistake (passed on).
  await assert.rejects(
    server.longRead(server.db.selectFrom(sql.table('nowhere').as('n')).selectAll()),
    (error: unknown) =>
      /no such table: nowhere/.test(String(error)) && (error as { code?: string }).code === 'SQLITE_ERROR',
  );
  assert.deepEqual(await queues().execute(), expected, 'nothing was deleted');

  // A command run by hand has no thread: the same read, on the event loop.
  const byHand = await openDatabase({ url: '', dataDir: server.dataDir });
  try {
    assert.deepEqual(await turnsDuring(() => byHand.longRead(queues())), { rows: expected, turned: false });
  } finally {
    await byHand.close();
  }
});

test('a long read is guarded: a locked database is waited for, a gone thread hands the read on, an outage is a 503', async (t) => {
  const { db } = await testDatabase(t, 'sqlite');
  const query = db.selectFrom('queues').select('name');
  const health = new DatabaseHealth();
  const told: boolean[] = [];
  health.onChange((change) => told.push(change.reachable));
  const onLoopRows = [{ name: 'read on the loop' }];
  let onLoopReads = 0;
  const onLoop = async <R>() => {
    onLoopReads += 1;
    return onLoopRows as R[];
  };
  const locked = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
  const threadRows = [{ name: 'read by the thread' }];

  // Locked twice, then answered by the thread: waited for, not an outage.
  let tries = 0;
  const lockedTwice = guardedLongRead(
    {
      read: <R>() => {
        tries += 1;
        return (tries <= 2 ? Promise.reject(locked()) : Promise.resolve(threadRows)) as Promise<R[]>;
      },
    },
    onLoop,
    health,
  );
  assert.deepEqual(await lockedTwice(query), threadRows);
  assert.equal(tries, 3);

  // A thread already gone, or gone while it read: the process's own connection reads.
  assert.deepEqual(await guardedLongRead({ read: () => undefined }, onLoop, health)(query), onLoopRows);
  const goneWhileReading = guardedLongRead(
    { read: () => Promise.reject(new BackgroundGone('the background connection is gone: it crashed')) },
    onLoop,
    health,
  );
  assert.deepEqual(await goneWhileReading(query), onLoopRows);
  assert.equal(onLoopReads, 2);
  assert.deepEqual(told, [], 'no outage so far');

  // An outage met on the loop's connection (already told there) stays a 503 and is not taken for an answer.
  health.lost(new Error('the loop met it'));
  const outage = guardedLongRead(
    { read: () => undefined },
    async () => {
      throw databaseUnavailable();
    },
    health,
  );
  await assert.rejects(outage(query), (error: unknown) => isUnavailable(error));
  assert.deepEqual(told, [false]);
});

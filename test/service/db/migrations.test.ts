// What docs/operations.md promises about upgrades: processes starting together migrate once, a fresh schema
// migrates beside another installation's, and an older IMG refuses a database a newer one migrated.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { type DatabaseHandle, openDatabase } from '../../../src/service/db/index.ts';
import { databaseKinds, tempDir, testDatabase, testPostgresUrl } from '../helpers.ts';

const pgSkip = process.env.IMG_TEST_PG_URL ? false : 'needs IMG_TEST_PG_URL (scripts/test.sh sets it)';

describe('migrations on PostgreSQL', { skip: pgSkip }, () => {
  test('several processes opening a fresh database at once migrate it once, and all start', async (t) => {
    const handles: DatabaseHandle[] = [];
    t.after(() => Promise.all(handles.map((handle) => handle.close())));
    const url = await testPostgresUrl(t);
    const dataDir = tempDir(t);
    // Each handle has a pool of its own, as a web node and workers starting on several machines do.
    const opened = await Promise.allSettled(
      Array.from({ length: 4 }, () => openDatabase({ url, dataDir }).then((handle) => handles.push(handle))),
    );
    assert.deepEqual(
      opened.map((result) => result.status),
      ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'],
      opened.map((result) => (result.status === 'rejected' ? String(result.reason) : '')).join(' '),
    );
    const { rows } = await sql<{ name: string }>`select name from img_migrations order by name`.execute(
      handles[0]?.db ?? assert.fail('no handle'),
    );
    assert.equal(new Set(rows.map((row) => row.name)).size, rows.length);
    assert.ok(rows.length > 0);
  });

  test('a fresh schema migrates while another schema of the same database holds IMG', async (t) => {
    const handles: DatabaseHandle[] = [];
    t.after(() => Promise.all(handles.map((handle) => handle.close())));
    const dataDir = tempDir(t);
    const first = await testPostgresUrl(t);
    const second = await testPostgresUrl(t);
    handles.push(await openDatabase({ url: first, dataDir }));
    const other = await openDatabase({ url: second, dataDir });
    handles.push(other);
    await other.db.selectFrom('jobs').select('id').execute();
  });

  test('fresh schemas migrate while another schema of the database drops tables all the while', async (t) => {
    const handles: DatabaseHandle[] = [];
    t.after(() => Promise.all(handles.map((handle) => handle.close())));
    const dataDir = tempDir(t);
    const churn = await openDatabase({ url: await testPostgresUrl(t), dataDir });
    handles.push(churn);
    // Another installation's tables come and go (a test suite, an admin): each start must still migrate.
    let churning = true;
    const churned = (async () => {
      for (let round = 0; churning; round += 1) {
        await sql`create table ${sql.raw(`churn_${round % 20}`)} (id int)`.execute(churn.db);
        await sql`drop table ${sql.raw(`churn_${(round + 10) % 20}`)}`.execute(churn.db).catch(() => {});
      }
    })();
    try {
      for (let start = 0; start < 8; start += 1) {
        handles.push(await openDatabase({ url: await testPostgresUrl(t), dataDir }));
      }
    } finally {
      churning = false;
      await churned;
    }
  });
});

for (const kind of databaseKinds) {
  test(`${kind}: an IMG refuses a database a newer IMG migrated, and says so`, async (t) => {
    const handles: DatabaseHandle[] = [];
    t.after(() => Promise.all(handles.map((handle) => handle.close())));
    const url = kind === 'sqlite' ? '' : await testPostgresUrl(t);
    const dataDir = tempDir(t);
    const newer = await openDatabase({ url, dataDir });
    handles.push(newer);
    await sql`insert into img_migrations (name, timestamp) values ('9999_from_a_newer_img', '2100-01-01T00:00:00.000Z')`.execute(
      newer.db,
    );
    await assert.rejects(
      openDatabase({ url, dataDir }),
      /^Error: the database was migrated by a newer IMG \(its step 9999_from_a_newer_img is unknown to this one\)/,
    );
  });
}

for (const kind of databaseKinds) {
  test(`${kind}: the build-key index leaves out jobs without a key, and a lookup by key still uses it`, async (t) => {
    const { db } = await testDatabase(t, kind);
    if (kind === 'sqlite') {
      const indexes = await sql<{ name: string; partial: number }>`pragma index_list(jobs)`.execute(db);
      assert.equal(indexes.rows.find((index) => index.name === 'jobs_build_key_status')?.partial, 1);
      const plan = await sql<{
        detail: string;
      }>`explain query plan select id from jobs where build_key = ${'k'} and status = ${'DONE'}`.execute(db);
      assert.match(plan.rows.map((row) => row.detail).join('\n'), /USING INDEX jobs_build_key_status/);
      return;
    }
    const [index] = (
      await sql<{
        indexdef: string;
      }>`select indexdef from pg_indexes where indexname = 'jobs_build_key_status' and schemaname = current_schema()`.execute(
        db,
      )
    ).rows;
    assert.match(index?.indexdef ?? '', /WHERE \(build_key IS NOT NULL\)$/);
    // A generic plan, as a prepared statement gets, with sequential scans priced out of a nearly empty table.
    const plan = await db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      await sql`set local plan_cache_mode = force_generic_plan`.execute(trx);
      await sql`prepare by_key(text, text) as select id from jobs where build_key = $1 and status = $2`.execute(
        trx,
      );
      const rows = (await sql<{ 'QUERY PLAN': string }>`explain execute by_key('k', 'DONE')`.execute(trx))
        .rows;
      await sql`deallocate by_key`.execute(trx);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    assert.match(plan, /jobs_build_key_status/);
  });
}

test('sqlite: a start stopped between the drop and the create of the build-key index starts the next time', async (t) => {
  const dataDir = tempDir(t);
  const stopped = await openDatabase({ url: '', dataDir });
  // Where a kill in the middle of the index's build leaves SQLite, whose migration steps are not one transaction.
  await sql`drop index jobs_build_key_status`.execute(stopped.db);
  await sql`delete from img_migrations where name = '0011_build_key_index_partial'`.execute(stopped.db);
  await stopped.close();
  const again = await openDatabase({ url: '', dataDir });
  t.after(() => again.close());
  const indexes = await sql<{ name: string; partial: number }>`pragma index_list(jobs)`.execute(again.db);
  assert.equal(indexes.rows.find((index) => index.name === 'jobs_build_key_status')?.partial, 1);
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { type DatabaseHandle, openDatabase } from '../../src/service/db/index.ts';

/** SQLite always; PostgreSQL as well when IMG_TEST_PG_URL names a server (CI starts one). */
export const databaseKinds = process.env.IMG_TEST_PG_URL
  ? (['sqlite', 'postgres'] as const)
  : (['sqlite'] as const);
export type DatabaseKind = (typeof databaseKinds)[number];

export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'img-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface TestDatabase extends DatabaseHandle {
  /** SQLite's folder (a temp folder with PostgreSQL too). */
  dataDir: string;
  /** A connection of its own to the same database, as another process opens it; closed after the test too. */
  connectAgain(): Promise<DatabaseHandle>;
}

/**
 * A fresh, migrated database: a temp folder for SQLite, a schema of its own on the shared PostgreSQL. `asServer`
 * opens it as servers and workers do: SQLite with its background connection (checkpoints and long reads), which
 * must not fail.
 */
export async function testDatabase(
  t: TestContext,
  kind: DatabaseKind,
  options: { asServer?: boolean } = {},
): Promise<TestDatabase> {
  const failures: unknown[] = [];
  t.after(() => assert.deepEqual(failures, [], 'the background connection did not fail'));
  // After-hooks run in the order they were added: this close comes before the schema's drop.
  const handles: DatabaseHandle[] = [];
  t.after(() => Promise.all(handles.map((handle) => handle.close())));
  const url = kind === 'sqlite' ? '' : await testPostgresUrl(t);
  const dataDir = tempDir(t);
  const connect = async () => {
    const handle = await openDatabase({
      url,
      dataDir,
      ...(options.asServer ? { onBackgroundFailure: (error: unknown) => failures.push(error) } : {}),
    });
    handles.push(handle);
    return handle;
  };
  return { ...(await connect()), dataDir, connectAgain: connect };
}

/**
 * A URL of the shared PostgreSQL (or of the server at `baseUrl`) whose search_path is a schema of its own, dropped after the test; whatever
 * connects with it (other processes of the test too) must be closed by an after-hook added before this call.
 */
export async function testPostgresUrl(
  t: TestContext,
  baseUrl = process.env.IMG_TEST_PG_URL ?? '',
): Promise<string> {
  const schema = `test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  // A connection for each statement: one held open for the test's length would die with a server the test stops.
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create schema ${schema}`);
  t.after(() => admin(`drop schema ${schema} cascade`));
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

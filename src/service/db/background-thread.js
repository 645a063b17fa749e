// @ts-check
// The SQLite database's second connection, in a thread of its own (background-connection.ts starts it): it
// checkpoints the write-ahead log and runs the long reads. Made by the connection that commits, as SQLite does by
// default, a checkpoint copies about a thousand pages into the database file inside some unlucky commit and holds
// the event loop for 5-10 ms; a year of statistics over a million jobs holds it for seconds. Here both happen
// while the process's own connection goes on reading and committing.
// Plain JavaScript: a worker thread does not inherit the TypeScript loader when `imger` registers it at run time.

import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

/** @type {{ file: string; everyMs: number }} */
const { file, everyMs } = workerData;
const database = new SQLite(file, { fileMustExist: true });
// As the process's own connection waits. A passive checkpoint never waits: one that finds the log in use copies
// what it can, and the next tick goes on.
database.pragma('busy_timeout = 50');
const checkpoint = () => {
  try {
    database.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy, or the database is going away: the next tick tries again, or the thread is ended.
  }
};
const timer = setInterval(checkpoint, everyMs);

/** @param {{ id: number; sql: string; parameters: unknown[] }} read */
function answer({ id, sql, parameters }) {
  try {
    const statement = database.prepare(sql);
    // Reads only: this connection is never one that changes what the process's own connection stores.
    if (!statement.reader) throw new Error('the background connection only reads');
    return { id, rows: statement.all(...parameters) };
  } catch (error) {
    // SQLite's code (SQLITE_BUSY…) goes too: the process's guard tells a locked database from a bad statement.
    const code = /** @type {{ code?: unknown }} */ (error)?.code;
    return {
      id,
      error: error instanceof Error ? error.message : String(error),
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
}

parentPort?.on(
  'message',
  (/** @type {'stop' | { id: number; sql: string; parameters: unknown[] }} */ message) => {
    if (message !== 'stop') {
      parentPort?.postMessage(answer(message));
      return;
    }
    clearInterval(timer);
    checkpoint();
    database.close();
    parentPort?.close();
  },
);

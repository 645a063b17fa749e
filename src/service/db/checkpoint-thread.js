// @ts-check
// Checkpoints of the SQLite database's write-ahead log, made in a thread of their own (checkpoints.ts starts it)
// with a connection of its own. Made by the connection that commits, as SQLite does by default, a checkpoint
// copies about a thousand pages into the database file inside some unlucky commit and holds the event loop for
// 5-10 ms; a passive checkpoint here copies them while that connection goes on reading and committing.
// Plain JavaScript: a worker thread does not inherit the TypeScript loader when `imger` registers it at run time.

import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

/** @type {{ file: string; everyMs: number }} */
const { file, everyMs } = workerData;
const database = new SQLite(file, { fileMustExist: true });
// A checkpoint that finds the log in use gives up at once and is tried again on the next tick.
database.pragma('busy_timeout = 0');
const checkpoint = () => {
  try {
    database.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy, or the database is going away: the next tick tries again, or the thread is ended.
  }
};
const timer = setInterval(checkpoint, everyMs);
parentPort?.once('message', () => {
  clearInterval(timer);
  checkpoint();
  database.close();
  parentPort?.postMessage('closed');
});

import type { Kysely } from 'kysely';
import { isUnavailable } from './outage.ts';
import type { Database } from './schema.ts';

/** Writes in one transaction at most: a burst of hundreds commits in several, letting readers of the lock in. */
const MAX_GROUP = 64;

/**
 * Writes asked for in the same turn of the event loop (a burst of submissions read from several sockets at once)
 * committed together, in one transaction. On SQLite a commit, not the statements, is most of a small write's
 * cost (it appends every page it changed to the log, each index's included): eight rows inserted in one
 * transaction cost a third of eight inserted one by one. A write asked for alone runs alone, as `alone`, without
 * waiting for company: the group forms from what is already there by the time the loop is done reading.
 *
 * Each caller gets its own answer: when the group's transaction fails, its writes are tried again one by one,
 * so a write that fails takes no other with it. A database that cannot be reached fails them all at once (trying
 * each again would only wait for it once per write). So `write` may run twice for an item, and must change nothing
 * but through the transaction it is given. A group holds the write lock while it runs, so it is kept small.
 */
export function groupCommit<T, R>(
  db: Kysely<Database>,
  write: (trx: Kysely<Database>, item: T) => Promise<R>,
  alone: (item: T) => Promise<R>,
): (item: T) => Promise<R> {
  interface Waiting {
    item: T;
    resolve(result: R): void;
    reject(error: unknown): void;
  }
  const waiting: Waiting[] = [];
  let scheduled = false;

  const each = (group: Waiting[]) => {
    // Through a promise: a write that throws before it returns one still answers its caller.
    for (const one of group) Promise.resolve(one.item).then(alone).then(one.resolve, one.reject);
  };

  async function commit(): Promise<void> {
    const group = waiting.splice(0, MAX_GROUP);
    if (waiting.length > 0) setImmediate(() => void commit());
    else scheduled = false;
    if (group.length === 1) {
      each(group);
      return;
    }
    let results: Array<() => void>;
    try {
      results = await db.transaction().execute(async (trx) => {
        const answers: Array<() => void> = [];
        for (const one of group) {
          const result = await write(trx, one.item);
          answers.push(() => one.resolve(result));
        }
        return answers;
      });
    } catch (error) {
      if (isUnavailable(error)) for (const one of group) one.reject(error);
      else each(group);
      return;
    }
    // Answered once committed: until then, a later write's failure could still undo them.
    for (const answer of results) answer();
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (scheduled) return;
      scheduled = true;
      // After the loop's reading of sockets (the poll phase), before it waits for more.
      setImmediate(() => void commit());
    });
}

import type { Kysely } from 'kysely';
import { isUnavailable } from './outage.ts';
import type { Database } from './schema.ts';

/** Writes in one transaction at most: a burst of hundreds commits in several, letting readers of the lock in. */
const MAX_GROUP = 64;

/**
 * Writes asked for in the same turn of the event loop (a burst of submissions read from several sockets at once)
 * committed together, in one transaction, and one group after another, in the order they were asked for. On
 * SQLite a commit, not the statements, is most of a small write's cost (it appends every page it changed to the
 * log, each index's included): eight rows inserted in one transaction cost a third of eight inserted one by one.
 * On PostgreSQL a group costs one commit and one flush of its log, and the order holds across its pool: what a
 * write reads after its commit (a job's place in its queue) finds every write asked for before it.
 *
 * A write asked for alone runs alone, without waiting for company. While a group commits, the writes asked for
 * meanwhile wait and form the next.
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
  /** A group is committing, or about to start after the loop's reading of sockets. */
  let busy = false;

  const next = () => {
    busy = waiting.length > 0;
    // After the loop's reading of sockets (the poll phase), so that a burst read at once is one group.
    if (busy) setImmediate(() => void commit().finally(next));
  };

  async function oneByOne(group: Waiting[]): Promise<void> {
    for (const one of group) {
      try {
        one.resolve(await alone(one.item));
      } catch (error) {
        one.reject(error);
      }
    }
  }

  async function commit(): Promise<void> {
    const group = waiting.splice(0, MAX_GROUP);
    if (group.length === 1) return oneByOne(group);
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
      if (!isUnavailable(error)) return oneByOne(group);
      for (const one of group) one.reject(error);
      return;
    }
    // Answered once committed: until then, a later write's failure could still undo them.
    for (const answer of results) answer();
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!busy) next();
    });
}

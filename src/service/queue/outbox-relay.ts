import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { JobPublisher } from '../jobs/index.ts';

export interface OutboxRelayOptions {
  db: Kysely<Database>;
  publish: JobPublisher;
  everyMs?: number;
  /**
   * Rows younger than this are left to the submit that wrote them, which publishes at once; the relay is for
   * the ones whose publish failed. A row published twice only costs a message whose claim is refused.
   */
  graceMs?: number;
  onError?: (error: unknown) => void;
}

export interface OutboxRelay {
  /** Publishes what waits in the outbox now; resolves to how many were published. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

const BATCH = 100;

/**
 * Publishes the jobs that were stored while the broker was unreachable. The jobs module writes an outbox row in
 * the transaction that stores the job, so a job is either in the outbox or was confirmed by the broker.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, publish } = options;
  const graceMs = options.graceMs ?? 2000;
  const onError = options.onError ?? (() => {});
  let running: Promise<number> | undefined;

  async function drainOnce(): Promise<number> {
    let published = 0;
    for (;;) {
      const cutoff = new Date(Date.now() - graceMs).toISOString();
      const rows = await db
        .selectFrom('outbox')
        .selectAll()
        .where('created', '<=', cutoff)
        .orderBy('id')
        .limit(BATCH)
        .execute();
      for (const row of rows) {
        try {
          await publish({ id: row.job_id, queue: row.queue });
        } catch (error) {
          // The broker is still away: one failure says enough for this round.
          await db
            .updateTable('outbox')
            .set({ attempts: row.attempts + 1 })
            .where('id', '=', row.id)
            .execute();
          onError(error);
          return published;
        }
        await db.deleteFrom('outbox').where('id', '=', row.id).execute();
        published += 1;
      }
      if (rows.length < BATCH) return published;
    }
  }

  function drain(): Promise<number> {
    running ??= drainOnce().finally(() => {
      running = undefined;
    });
    return running;
  }

  const timer = setInterval(() => {
    drain().catch(onError);
  }, options.everyMs ?? 2000);

  return {
    drain,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}

import type { Static } from '@sinclair/typebox';
import type { JobChangeSchema } from '../../contract/api.ts';
import type { JobEventName } from './events.ts';
import { stampOf } from './reads.ts';
import type { JobService } from './service.ts';

/**
 * What a listener learns of a change: enough to decide whether to look again, not the job itself. The contract's
 * shape, as GET /events sends it; `removed`: the job was deleted, `updated` is then when (only deletions made in
 * this process are seen).
 */
export type JobChange = Static<typeof JobChangeSchema>;

export type JobChangeListener = (change: JobChange) => void;

export interface JobChangeFeed {
  /**
   * Resolves once the listener hears of every change committed from then on, by any process sharing the
   * database; the function it resolves to unsubscribes.
   */
  subscribe(listener: JobChangeListener): Promise<() => void>;
}

export interface JobChangeFeedOptions {
  /** How often the database is asked for other processes' changes; this process's own arrive at once. */
  pollMs?: number;
  /**
   * How far behind the newest change each poll looks again: a transaction stamps `updated` before it commits,
   * so on PostgreSQL a change can become visible after a later-stamped one was already read.
   */
  lookbackMs?: number;
  /** A failed poll is reported here and the next one tries again. */
  onError: (error: unknown) => void;
}

const LOCAL_EVENTS = [
  'job:queued',
  'job:started',
  'job:cancel-requested',
  'job:progress',
  'job:finished',
] as const satisfies readonly JobEventName[];

/**
 * Every change of a job, from this process's jobs service at once and from other processes (workers on other
 * machines, other web nodes) by polling the `updated` column: one query a poll however many listen, and no
 * polling while nobody does. Deletions leave no row to find, so another process's deletions are not heard of.
 */
export function createJobChangeFeed(jobs: JobService, options: JobChangeFeedOptions): JobChangeFeed {
  const listeners = new Set<JobChangeListener>();
  let watching: Watch | undefined;
  const deliver = (change: JobChange) => {
    for (const listener of listeners) listener(change);
  };

  return {
    async subscribe(listener) {
      listeners.add(listener);
      watching ??= watch(jobs, options, deliver);
      await watching.ready;
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          watching?.stop();
          watching = undefined;
        }
      };
    },
  };
}

interface Watch {
  ready: Promise<void>;
  stop(): void;
}

function watch(
  jobs: JobService,
  { pollMs = 500, lookbackMs = 5000, onError }: JobChangeFeedOptions,
  deliver: JobChangeListener,
): Watch {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  /** The newest `updated` read; null until the first read succeeded. */
  let cursor: string | null = null;
  /** The stamp each job was last delivered with, while the lookback can still read it again. */
  const delivered = new Map<string, string>();

  const offer = (change: JobChange) => {
    if (stopped || delivered.get(change.id) === change.updated) return;
    delivered.set(change.id, change.updated);
    deliver(change);
  };
  const unhook = [
    ...LOCAL_EVENTS.map((event) =>
      jobs.events.on(event, ({ job }) => offer({ ...stampOf(job), removed: false })),
    ),
    jobs.events.on('job:removed', ({ job }) =>
      offer({ ...stampOf(job), updated: new Date().toISOString(), removed: true }),
    ),
  ];

  const lookbackFrom = (stamp: string) =>
    stamp === '' ? '' : new Date(Date.parse(stamp) - lookbackMs).toISOString();

  /** The first read only learns where the feed starts: what changed before anyone listened is not news. */
  const poll = async (announce: boolean) => {
    const since = lookbackFrom(cursor ?? (await jobs.lastUpdated()) ?? '');
    for (const stamp of await jobs.changedSince(since)) {
      if (announce) offer({ ...stamp, removed: false });
      else delivered.set(stamp.id, stamp.updated);
      if (cursor === null || stamp.updated > cursor) cursor = stamp.updated;
    }
    cursor ??= since;
    const forgotten = lookbackFrom(cursor);
    for (const [id, updated] of delivered) if (updated <= forgotten) delivered.delete(id);
  };

  const ready = poll(false).catch(onError);
  const next = () => {
    if (!stopped) timer = setTimeout(tick, pollMs);
  };
  const tick = () => {
    // A feed that could not start yet starts now, quietly, rather than announcing every recent change.
    poll(cursor !== null)
      .catch(onError)
      .finally(next);
  };
  void ready.then(next);

  return {
    ready,
    stop() {
      stopped = true;
      clearTimeout(timer);
      for (const off of unhook) off();
    },
  };
}

import { type Expression, type Kysely, type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import { encodeTime } from 'ulid';
import type { Stats } from '../../contract/stats.ts';
import type { Dialect, LongRead } from '../db/connect.ts';
import type { Database } from '../db/schema.ts';

/** The window and whose jobs: `owner` set, that user's only. */
export interface BuildStatsQuery {
  /** Whole UTC days, today included. */
  days: number;
  owner?: string;
}

/** The stats route's answer but its scope, which the route adds: the contract declares the shape once. */
export type BuildStats = Omit<Stats, 'scope'>;

/** Median and 90th percentile (nearest rank) of some seconds; null when nothing was measured. */
export type Spread = BuildStats['queue_wait_seconds'];

export const BUSIEST_QUEUES_SHOWN = 10;

type JobsQuery = SelectQueryBuilder<Database, 'jobs', object>;

/**
 * The numbers of the stats page and /metrics, each one grouped query: the database counts and sorts, and only a
 * row per day, type, class or queue comes back, however many jobs the window holds. The window is a range of job
 * ids (ULIDs begin with their submission time), so it is read through the primary key, or the (owner, id) index
 * for one user's jobs.
 */
export async function queryBuildStats(
  db: Kysely<Database>,
  dialect: Dialect,
  /** Runs the statements: over a year of a busy instance's jobs they take seconds (see DatabaseHandle). */
  read: LongRead,
  query: BuildStatsQuery,
  now = new Date(),
): Promise<BuildStats> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const sinceMs = today - (query.days - 1) * DAY_MS;
  const windowed = (): JobsQuery => {
    // Bounded at both ends: SQLite, which keeps no statistics, takes an open range for most of the table and
    // would rather scan a whole index that spares it a sort.
    let jobs = db
      .selectFrom('jobs')
      .where('id', '>=', firstIdOf(sinceMs))
      .where('id', '<', firstIdOf(today + DAY_MS));
    if (query.owner !== undefined) jobs = jobs.where('owner', '=', query.owner);
    return jobs;
  };
  const seconds = (from: 'created' | 'started', to: 'started' | 'finished'): RawBuilder<number> =>
    dialect === 'postgres'
      ? sql<number>`extract(epoch from (${sql.ref(to)}::timestamptz - ${sql.ref(from)}::timestamptz))`
      : sql<number>`(julianday(${sql.ref(to)}) - julianday(${sql.ref(from)})) * 86400.0`;

  const [ended, builds, waits, failures, queues] = await Promise.all([
    read(
      windowed()
        .select([
          sql<string>`substr(finished, 1, 10)`.as('day'),
          'status',
          (eb) => eb.fn.countAll<number | string>().as('jobs'),
        ])
        .where('status', 'in', ['DONE', 'ERROR', 'CANCELLED'])
        .where('finished', 'is not', null)
        .groupBy([sql`substr(finished, 1, 10)`, 'status']),
    ),
    spreads(
      db,
      read,
      windowed().where('status', '=', 'DONE').where('started', 'is not', null),
      sql.ref('image_type'),
      seconds('started', 'finished'),
    ),
    spreads(db, read, windowed().where('started', 'is not', null), null, seconds('created', 'started')),
    read(
      windowed()
        .select([
          sql<string>`coalesce(error_class, 'unknown')`.as('class'),
          (eb) => eb.fn.countAll<number | string>().as('jobs'),
        ])
        .where('status', '=', 'ERROR')
        .groupBy(sql`coalesce(error_class, 'unknown')`),
    ),
    read(
      windowed()
        .select([
          'queue',
          (eb) => eb.fn.countAll<number | string>().as('jobs'),
          (eb) =>
            eb.fn.sum<number | string>(sql`case when status = 'IN QUEUE' then 1 else 0 end`).as('waiting'),
        ])
        .groupBy('queue')
        .orderBy('jobs', 'desc')
        .orderBy('queue')
        .limit(BUSIEST_QUEUES_SHOWN),
    ),
  ]);

  const outcome = { DONE: 'done', ERROR: 'failed', CANCELLED: 'cancelled' } as const;
  const perDay = new Map<string, BuildStats['per_day'][number]>();
  for (let day = sinceMs; day <= today; day += DAY_MS) {
    const name = new Date(day).toISOString().slice(0, 10);
    perDay.set(name, { day: name, done: 0, failed: 0, cancelled: 0 });
  }
  const totals = { done: 0, failed: 0, cancelled: 0 };
  for (const row of ended) {
    const key = outcome[row.status as keyof typeof outcome];
    const entry = perDay.get(row.day);
    // A job submitted in the window finishes in it, unless the clocks of two machines disagree.
    if (entry) entry[key] += Number(row.jobs);
    totals[key] += Number(row.jobs);
  }
  const decided = totals.done + totals.failed;
  return {
    days: query.days,
    since: new Date(sinceMs).toISOString(),
    per_day: [...perDay.values()],
    totals,
    success_rate: decided === 0 ? null : totals.done / decided,
    build_seconds: builds
      .map(({ key, ...spread }) => ({ type: key, ...spread }))
      .sort((a, b) => a.type.localeCompare(b.type)),
    queue_wait_seconds: waits[0] ?? { count: 0, median: null, p90: null },
    failure_classes: failures
      .map((row) => ({ class: row.class, jobs: Number(row.jobs) }))
      .sort((a, b) => b.jobs - a.jobs || a.class.localeCompare(b.class)),
    busiest_queues: queues.map((row) => ({
      queue: row.queue,
      jobs: Number(row.jobs),
      waiting: Number(row.waiting ?? 0),
    })),
  };
}

const DAY_MS = 24 * 3600 * 1000;

/** The smallest ULID of a millisecond: ids sort by their time first. */
const firstIdOf = (ms: number) => `${encodeTime(ms, 10)}${'0'.repeat(16)}`;

/**
 * The median and 90th percentile of `value` by `key` over the jobs, by nearest rank: each job is numbered in its
 * group's order, and a quantile q is the smallest value whose number reaches q × the group's count. Window
 * functions (SQLite 3.28+, PostgreSQL) do the sort, so no job's row leaves the database; the value is computed
 * once a job, below the window, and both functions share its one sort.
 */
async function spreads(
  db: Kysely<Database>,
  read: LongRead,
  jobs: JobsQuery,
  key: Expression<string> | null,
  value: Expression<number>,
): Promise<(Spread & { key: string })[]> {
  const values = jobs
    .select([
      (key === null ? sql<string>`''` : sql<string>`${key}`).as('spread_key'),
      sql<number>`${value}`.as('spread_value'),
    ])
    .as('spread_values');
  // PostgreSQL refuses a constant to partition by: the whole lot is one partition without the clause. Both
  // functions share one window, so the rows are sorted once.
  const window = sql`${key === null ? sql`` : sql`partition by spread_key`} order by spread_value`;
  const measured = db
    .selectFrom(values)
    .select([
      'spread_key',
      'spread_value',
      sql<number>`row_number() over (${window})`.as('nth'),
      sql<number>`count(*) over (${window} rows between unbounded preceding and unbounded following)`.as(
        'group_size',
      ),
    ]);
  const quantile = (q: number) =>
    sql<number | string | null>`min(case when nth >= group_size * ${sql.lit(q)} then spread_value end)`;
  const rows = await read(
    db
      .selectFrom(measured.as('measured'))
      .select([
        'spread_key',
        sql<number | string>`max(group_size)`.as('count'),
        quantile(0.5).as('median'),
        quantile(0.9).as('p90'),
      ])
      .groupBy('spread_key'),
  );
  return rows.map((row) => ({
    key: row.spread_key,
    count: Number(row.count),
    median: roundedSeconds(row.median),
    p90: roundedSeconds(row.p90),
  }));
}

/** To the millisecond: julianday's floating point leaves noise below it. pg returns numeric as a string. */
function roundedSeconds(value: number | string | null): number | null {
  return value === null ? null : Math.round(Number(value) * 1000) / 1000;
}

import { type ExpressionBuilder, type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { COUNT_LIMIT } from '../../contract/list-limits.ts';
import type { JobStatus } from '../../contract/status.ts';
import type { Database, JobsTable } from '../db/schema.ts';
import type { JobChange } from './changes.ts';
import { type JobRow, jobFromRow, jobSummaryFromRow, progressFromColumn, SUMMARY_COLUMNS } from './rows.ts';
import type { Job, JobFilter, JobPage } from './types.ts';

/** Questions about jobs; they change nothing, so anyone may ask them. */
export interface JobReads {
  get(jobId: string): Promise<Job | null>;
  /** Newest first; `before` is the previous page's `next`, so a page is an index range however deep. */
  list(filter: JobFilter, page: { before?: string; offset?: number; limit: number }): Promise<JobPage>;
  /** 1 for the next job to build in its queue; null when the job does not wait. */
  queuePosition(jobId: string): Promise<number | null>;
  /**
   * The positions of the given jobs that still wait, by id, at the cost of one count and one index range per
   * queue, not one count per job (a page of 50 waiting jobs behind a long backlog).
   */
  queuePositions(jobs: readonly Pick<Job, 'id' | 'queue' | 'status'>[]): Promise<Map<string, number>>;
  /** Unpinned finished jobs that finished before this date, oldest first, for the retention sweeper. */
  expired(before: Date, limit: number): Promise<Job[]>;
  /** Counts by queue and status (those that had jobs), and stored artifact bytes by queue, for /metrics. */
  stats(): Promise<JobStats>;
  /** The jobs whose `updated` is after `since`, oldest change first: the change feed's one query a poll. */
  changedSince(since: string): Promise<JobStamp[]>;
  /** The latest `updated` of any job; null when there is none. */
  lastUpdated(): Promise<string | null>;
}

/** The fields of a job that say who a change concerns and when it happened: a change but its `removed`. */
export type JobStamp = Omit<JobChange, 'removed'>;
/** The same, as the columns they are read from (same names). */
const STAMP_FIELDS = [
  'id',
  'status',
  'queue',
  'owner',
  'updated',
  'progress',
] as const satisfies readonly (keyof JobStamp & keyof Job)[];

/** A job's stamp, without the rest of it. */
export function stampOf(job: JobStamp): JobStamp {
  return Object.fromEntries(STAMP_FIELDS.map((field) => [field, job[field]])) as JobStamp;
}

export interface JobStats {
  counts: { queue: string; status: JobStatus; count: number }[];
  bytes: { queue: string; bytes: number }[];
}

const FINISHED: JobStatus[] = ['DONE', 'ERROR', 'CANCELLED'];

export function createJobReads(db: Kysely<Database>): JobReads {
  return {
    async get(jobId) {
      const row = await db.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
      return row ? ((await withArtifacts([row]))[0] ?? null) : null;
    },

    async list(filter, page) {
      let query = matching(db.selectFrom('jobs').select(SUMMARY_COLUMNS), filter);
      if (page.before !== undefined) query = query.where('id', '<', page.before);
      if (page.offset) query = query.offset(page.offset);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(page.limit + 1)
        .execute();
      const pageRows = rows.slice(0, page.limit);
      return {
        jobs: pageRows.map(jobSummaryFromRow),
        next: rows.length > page.limit ? (pageRows.at(-1)?.id ?? null) : null,
        total: await count(filter),
      };
    },

    async queuePosition(jobId) {
      const job = await db
        .selectFrom('jobs')
        .select(['queue', 'status'])
        .where('id', '=', jobId)
        .executeTakeFirst();
      if (job?.status !== 'IN QUEUE') return null;
      const { ahead } = await db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number | string>().as('ahead'))
        .where('status', '=', 'IN QUEUE')
        .where('queue', '=', job.queue)
        .where('id', '<=', jobId)
        .executeTakeFirstOrThrow();
      return Number(ahead);
    },

    async queuePositions(jobs) {
      const idsByQueue = new Map<string, string[]>();
      for (const job of jobs) {
        if (job.status === 'IN QUEUE')
          idsByQueue.set(job.queue, [...(idsByQueue.get(job.queue) ?? []), job.id]);
      }
      const positions = new Map<string, number>();
      for (const [queue, ids] of idsByQueue) {
        ids.sort();
        const first = ids[0]!;
        const last = ids.at(-1)!;
        const waiting = db.selectFrom('jobs').where('status', '=', 'IN QUEUE').where('queue', '=', queue);
        const { ahead } = await waiting
          .select((eb) => eb.fn.countAll<number | string>().as('ahead'))
          .where('id', '<', first)
          .executeTakeFirstOrThrow();
        const span = await waiting
          .select('id')
          .where('id', '>=', first)
          .where('id', '<=', last)
          .orderBy('id')
          .execute();
        const wanted = new Set(ids);
        span.forEach((row, index) => {
          if (wanted.has(row.id)) positions.set(row.id, Number(ahead) + index + 1);
        });
      }
      return positions;
    },

    async expired(before, limit) {
      const rows = await db
        .selectFrom('jobs')
        .selectAll()
        .where('status', 'in', FINISHED)
        .where('pinned', '=', 0)
        .where('finished', '<', before.toISOString())
        .orderBy('finished')
        .limit(limit)
        .execute();
      return withArtifacts(rows);
    },

    async stats() {
      // Kept by the database as jobs change (migration 0003): a few rows, however many jobs there are.
      const rows = await db.selectFrom('job_counts').selectAll().orderBy('queue').orderBy('status').execute();
      const bytes = new Map<string, number>();
      for (const row of rows) bytes.set(row.queue, (bytes.get(row.queue) ?? 0) + Number(row.bytes));
      return {
        counts: rows.map((row) => ({
          queue: row.queue,
          status: row.status as JobStatus,
          count: Number(row.jobs),
        })),
        bytes: [...bytes].map(([queue, total]) => ({ queue, bytes: total })),
      };
    },

    async changedSince(since) {
      const rows = await db
        .selectFrom('jobs')
        .select(STAMP_FIELDS)
        .where('updated', '>', since)
        .orderBy('updated')
        .execute();
      return rows.map((row) => ({
        ...row,
        status: row.status as JobStatus,
        progress: progressFromColumn(row.progress),
      }));
    },

    async lastUpdated() {
      const { last } = await db
        .selectFrom('jobs')
        .select((eb) => eb.fn.max('updated').as('last'))
        .executeTakeFirstOrThrow();
      return last ?? null;
    },
  };

  /**
   * How many jobs match, without ever reading more than COUNT_LIMIT of them: by queue and status alone, from
   * job_counts (exact); otherwise among the newest COUNT_LIMIT jobs of the filter's first indexed column (each has
   * an index ending in id), which is exact when that column has no more jobs than that, and "at least" when it has.
   */
  async function count(filter: JobFilter): Promise<{ count: number; exact: boolean }> {
    const used = Object.entries(filter)
      .filter(([, value]) => value !== undefined)
      .map(([key]) => key);
    if (used.every((key) => key === 'queue' || key === 'status')) {
      let counts = db.selectFrom('job_counts').select((eb) => eb.fn.sum<number | string>('jobs').as('jobs'));
      if (filter.queue !== undefined) counts = counts.where('queue', '=', filter.queue);
      if (filter.status !== undefined) counts = counts.where('status', '=', filter.status);
      const { jobs } = await counts.executeTakeFirstOrThrow();
      return { count: Number(jobs ?? 0), exact: true };
    }
    const lead = LEAD_COLUMNS.find(([key]) => filter[key] !== undefined);
    let range = db.selectFrom('jobs').select('id');
    if (lead) range = range.where(lead[1], '=', String(filter[lead[0]]));
    const boundary = await range
      .orderBy('id', 'desc')
      .offset(COUNT_LIMIT - 1)
      .limit(1)
      .executeTakeFirst();
    let counted = matching(
      db.selectFrom('jobs').select((eb) => eb.fn.countAll<number | string>().as('jobs')),
      filter,
    );
    if (boundary) counted = counted.where('id', '>=', boundary.id);
    const { jobs } = await counted.executeTakeFirstOrThrow();
    return { count: Number(jobs), exact: boundary === undefined };
  }

  async function withArtifacts(rows: JobRow[]): Promise<Job[]> {
    if (rows.length === 0) return [];
    const artifacts = await db
      .selectFrom('artifacts')
      .selectAll()
      .where(
        'job_id',
        'in',
        rows.map((row) => row.id),
      )
      .orderBy('name')
      .execute();
    return rows.map((row) =>
      jobFromRow(
        row,
        artifacts.filter((artifact) => artifact.job_id === row.id),
      ),
    );
  }
}

/** The filters with an index of their own (column, id), narrowest first: where a bounded count starts. */
const LEAD_COLUMNS = [
  ['owner', 'owner'],
  ['type', 'image_type'],
  ['arch', 'arch'],
  ['queue', 'queue'],
  ['status', 'status'],
] as const satisfies readonly (readonly [keyof JobFilter, keyof JobsTable])[];

/** The jobs of a query that pass every filter given. */
function matching<Q extends SelectQueryBuilder<Database, 'jobs', object>>(query: Q, filter: JobFilter): Q {
  let narrowed: SelectQueryBuilder<Database, 'jobs', object> = query;
  for (const [key, column] of LEAD_COLUMNS) {
    const value = filter[key];
    if (value !== undefined) narrowed = narrowed.where(column, '=', value);
  }
  const { tag, text, through } = filter;
  if (tag !== undefined) narrowed = narrowed.where(contains('tags', JSON.stringify(tag)));
  if (text !== undefined)
    narrowed = narrowed.where((eb) => eb.or([contains('name', text)(eb), eb('id', '=', text)]));
  if (through !== undefined) narrowed = narrowed.where('id', '<=', through);
  return narrowed as Q;
}

/** A substring test where `%` and `_` in the user's text match themselves, in SQLite and PostgreSQL alike. */
function contains(column: 'tags' | 'name', text: string) {
  const pattern = `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
  return (eb: ExpressionBuilder<Database, 'jobs'>) =>
    sql<boolean>`${eb.ref(column)} like ${pattern} escape '\\'`;
}

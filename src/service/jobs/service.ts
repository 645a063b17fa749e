import {
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type Selectable,
  sql,
  type Updateable,
} from 'kysely';
import { type Failure, failure } from '../../contract/failure.ts';
import type { JobProgress } from '../../contract/progress.ts';
import { canMove, isFinished, type JobStatus } from '../../contract/status.ts';
import { type Dialect, type LongRead, readOnLoop } from '../db/connect.ts';
import { groupCommit } from '../db/group-commit.ts';
import type { DatabaseHealth } from '../db/health.ts';
import { type Placeholder, prepareQuery } from '../db/prepared.ts';
import type { Database, JobsTable } from '../db/schema.ts';
import { ServiceError } from '../errors.ts';
import { type BuildStats, type BuildStatsQuery, queryBuildStats } from './build-stats.ts';
import { createEstimates, type Estimates } from './estimates.ts';
import { JobEvents } from './events.ts';
import { createJobIds } from './ids.ts';
import { mustGetJob, mustOwnJob } from './job-access.ts';
import { queueRefusal } from './queues.ts';
import { createJobReads, type JobReads } from './reads.ts';
import { failureColumns, jobFromRow } from './rows.ts';
import type { Actor, FinishInput, Job, SubmitInput, SubmittedJob } from './types.ts';
import { type BuilderBackend, type ValidJobInput, validateJobInput, validTags } from './validate.ts';
import { createWorkerRegistry, type WorkerRegistry } from './workers.ts';

/** Hands a stored job to the queue transport; a failure leaves the outbox row for the relay to retry. */
export type JobPublisher = (job: Pick<Job, 'id' | 'queue'>) => Promise<void>;

export interface JobServiceDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Set when a transport (RabbitMQ) needs a message per job; the embedded transport claims from the table. */
  publish?: JobPublisher;
  now?: () => Date;
  /** When given, requeueStale counts a build's silence only from when the database last came back. */
  health?: DatabaseHealth;
  /** How reads that take seconds run (see DatabaseHandle); by default as any query does. */
  longRead?: LongRead;
  /** `[worker] gpg_key_dir`: the folder a submitted kickstart may name signing keys in; '' for none. */
  gpgKeyDir?: string;
  /** `[worker] builder`: what a submitted job is judged by (default native). */
  builder?: BuilderBackend;
}

export interface JobService extends JobReads {
  readonly events: JobEvents;
  /** The running workers and the queues they serve. */
  readonly workers: WorkerRegistry;
  /** When each waiting job should start and each active one end, from similar recent builds and the queue. */
  readonly estimates: Estimates;
  /** Validates the kickstart, stores the job IN QUEUE and publishes it; `invalid-kickstart` lists lint errors. */
  submit(input: SubmitInput, owner: Actor): Promise<SubmittedJob>;
  /** Atomically moves the oldest waiting job of these queues to BUILDING for this worker; null when none waits. */
  claim(queueNames: readonly string[], workerId: string): Promise<Job | null>;
  /** Claims one given job (a RabbitMQ message names it); null when it no longer waits (cancelled, removed). */
  claimById(jobId: string, workerId: string): Promise<Job | null>;
  /**
   * Records that the worker still builds the job, and its progress when it changed (a change stamps `updated`,
   * so followers hear of it); `cancelled` tells it to stop (also when the job is no longer its).
   */
  heartbeat(jobId: string, workerId: string, progress?: JobProgress): Promise<{ cancelled: boolean }>;
  finish(jobId: string, workerId: string, result: FinishInput): Promise<Job>;
  /**
   * Stores the build key the worker resolved for its job, unless another job with that key is building: then
   * it answers that job's id, for this one to wait for (see src/service/worker/reuse.ts). A job asked to build
   * afresh stores its key whatever builds.
   */
  claimBuildKey(jobId: string, workerId: string, key: string): Promise<{ building: string | null }>;
  /** The DONE jobs with this build key, newest first: whose files a job with the same key may share. */
  doneWithKey(key: string): Promise<Job[]>;
  /** ERROR with the reason, or CANCELLED when the worker stopped because a user cancelled. */
  fail(jobId: string, workerId: string, error: Failure): Promise<Job>;
  /** A waiting job is CANCELLED at once; a building one is flagged and its worker stops it. */
  cancel(jobId: string, by: Actor): Promise<Job>;
  /** A new job with the same inputs (not the tags), owned by whoever retries. */
  retry(jobId: string, by: Actor): Promise<SubmittedJob>;
  /**
   * Jobs whose worker went silent: back IN QUEUE once, ERROR (`worker-lost`) the second time. Silence is counted
   * from the last heartbeat, or from when the database came back after an outage if that is later: no worker
   * could beat while it was away, and each beats again within one interval of its return.
   */
  requeueStale(olderThanMs: number): Promise<Job[]>;
  /**
   * Puts every job waiting in the queue in the outbox (unless it is there already), for the relay to publish:
   * the transport's queue lost its messages (a RabbitMQ queue deleted by an admin). A job published twice is
   * built once. Resolves to how many were added.
   */
  republishWaiting(queue: string): Promise<number>;
  /** Deletes the row (the caller deletes the files); pinned jobs refuse; the owner or an admin only. */
  remove(jobId: string, by: Actor): Promise<Job>;
  update(jobId: string, changes: { tags?: string[]; pinned?: boolean }, by: Actor): Promise<Job>;
  /** Builds per day, durations, waits, failure classes and queues of a window, counted by the database. */
  buildStats(query: BuildStatsQuery): Promise<BuildStats>;
}

/** The columns a submission gives a new job; the rest start as every job's do. */
type NewJobColumns = Pick<
  JobsTable,
  | 'id'
  | 'name'
  | 'owner'
  | 'email'
  | 'queue'
  | 'image_type'
  | 'arch'
  | 'kickstart'
  | 'tokenmap'
  | 'extra_repos'
  | 'packages'
  | 'tags'
  | 'pinned'
  | 'fresh'
  | 'retry_of'
  | 'created'
>;

/**
 * The files of a job about to be deleted that other jobs share (hard links made by reuse, which only ever link
 * the files of a DONE job with the same build key) stay on disk: one job holding each now counts its bytes.
 */
async function handOverSharedFiles(
  trx: Kysely<Database>,
  dialect: JobServiceDeps['dialect'],
  job: Job,
): Promise<void> {
  if (job.build_key === null) return;
  await lockKey(trx, dialect, job.build_key);
  const counted = await trx
    .selectFrom('artifacts')
    .select(['name', 'sha256'])
    .where('job_id', '=', job.id)
    .where('counted', '=', 1)
    .execute();
  for (const file of counted) {
    const holder = await trx
      .selectFrom('artifacts')
      .innerJoin('jobs', 'jobs.id', 'artifacts.job_id')
      .select('artifacts.job_id')
      .where('artifacts.counted', '=', 0)
      .where('artifacts.name', '=', file.name)
      .where('artifacts.sha256', '=', file.sha256)
      .where('jobs.build_key', '=', job.build_key)
      .where('jobs.id', '<>', job.id)
      .orderBy('jobs.id')
      .limit(1)
      .executeTakeFirst();
    if (!holder) continue;
    await trx
      .updateTable('artifacts')
      .set({ counted: 1 })
      .where('job_id', '=', holder.job_id)
      .where('name', '=', file.name)
      .execute();
  }
}

/**
 * Of the files a job shares, those another job with its key still counts (as `name\0sha256`): a maker deleted
 * after the files were linked but before this end was stored handed them to no one, so this job counts them.
 * On PostgreSQL the key's lock orders this against a deletion's hand-over (SQLite's single writer already does).
 */
async function stillCounted(
  trx: Kysely<Database>,
  dialect: JobServiceDeps['dialect'],
  result: Pick<FinishInput, 'artifacts' | 'buildKey' | 'shared'>,
): Promise<Set<string>> {
  const shared = result.artifacts.filter((artifact) => result.shared?.includes(artifact.name));
  if (shared.length === 0 || result.buildKey === undefined) return new Set();
  await lockKey(trx, dialect, result.buildKey);
  const rows = await trx
    .selectFrom('artifacts')
    .innerJoin('jobs', 'jobs.id', 'artifacts.job_id')
    .select(['artifacts.name', 'artifacts.sha256'])
    .where('jobs.build_key', '=', result.buildKey)
    .where('artifacts.counted', '=', 1)
    .where(
      'artifacts.name',
      'in',
      shared.map((artifact) => artifact.name),
    )
    .execute();
  const counted = new Set(rows.map((row) => `${row.name}\0${row.sha256}`));
  return new Set(shared.map((a) => `${a.name}\0${a.sha256}`).filter((entry) => counted.has(entry)));
}

/** Orders the transactions about one build key on PostgreSQL (SQLite's single writer already does). */
async function lockKey(
  trx: Kysely<Database>,
  dialect: JobServiceDeps['dialect'],
  key: string,
): Promise<void> {
  if (dialect === 'postgres')
    await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}

/** A job claimed twice whose worker went silent both times is not retried again. */
const MAX_ATTEMPTS = 2;

export function createJobService(deps: JobServiceDeps): JobService {
  const { db } = deps;
  const clock = deps.now ?? (() => new Date());
  const now = () => clock().toISOString();
  const nextId = createJobIds();
  const events = new JobEvents();
  const reads = createJobReads(db);
  // Every change but a heartbeat stamps `updated`, which the change feed follows across processes.
  const databaseNow =
    deps.dialect === 'postgres'
      ? sql<string>`to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
      : sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;

  const mustLoad = (jobId: string) => mustGetJob(reads, jobId);

  /**
   * The one place a job's status changes after it is stored. The update is guarded by the status (and worker)
   * that was read, so of two processes racing for the same job exactly one wins; the other gets `conflict`.
   * It is a single statement, so on SQLite it waits for the write lock instead of failing to upgrade a read.
   */
  async function move(
    job: Job,
    to: JobStatus,
    changes: Updateable<JobsTable>,
    guard: { worker?: string; heartbeat?: string | null } = {},
    executor: Kysely<Database> = db,
  ): Promise<Job> {
    if (guard.worker !== undefined && (job.worker !== guard.worker || job.status !== 'BUILDING')) {
      throw new ServiceError('conflict', `job ${job.id} is not being built by ${guard.worker}`);
    }
    if (!canMove(job.status, to)) {
      throw new ServiceError('conflict', `job ${job.id} is ${job.status} and cannot become ${to}`);
    }
    let update = executor
      .updateTable('jobs')
      .set({ ...changes, status: to, updated: databaseNow })
      .where('id', '=', job.id)
      .where('status', '=', job.status);
    if (guard.worker !== undefined) update = update.where('worker', '=', guard.worker);
    if (guard.heartbeat !== undefined) {
      update =
        guard.heartbeat === null
          ? update.where('heartbeat', 'is', null)
          : update.where('heartbeat', '=', guard.heartbeat);
    }
    const row = await update.returningAll().executeTakeFirst();
    if (!row)
      throw new ServiceError('conflict', `job ${job.id} changed while it was being updated; try again`);
    return { ...jobFromRow(row), artifacts: job.artifacts };
  }

  function announce(job: Job): void {
    if (job.status === 'IN QUEUE') events.emit('job:queued', { job });
    else if (job.status === 'BUILDING') events.emit('job:started', { job });
    else if (isFinished(job.status)) events.emit('job:finished', { job });
  }

  // A submission's statements, compiled once (see prepareQuery): building them cost more than running them.
  // The newest id comes with the queue (see createJobIds), and so does whether the submitter may use it (see
  // queueRefusal): two round trips fewer to a database server.
  const findQueue = prepareQuery((value: Placeholder<{ queue: string; owner: string; by: string }>) =>
    db
      .selectFrom('queues')
      .leftJoin('users', (join) => join.on('users.username', '=', value('owner')))
      .select((eb) => [
        'queues.name',
        'users.email',
        eb
          .selectFrom('jobs')
          .select((eb) => eb.fn.max('id').as('id'))
          .$asScalar()
          .as('newest'),
        // Open when no group names the queue, or the submitter is in one that does.
        eb
          .or([
            eb.not(
              eb.exists(
                eb.selectFrom('queue_groups').select('group_name').whereRef('queue_name', '=', 'queues.name'),
              ),
            ),
            eb.exists(
              eb
                .selectFrom('queue_groups')
                .innerJoin('group_members', 'group_members.group_name', 'queue_groups.group_name')
                .select('queue_groups.group_name')
                .whereRef('queue_groups.queue_name', '=', 'queues.name')
                .where('group_members.username', '=', value('by')),
            ),
          ])
          .as('open'),
      ])
      .where('queues.name', '=', value('queue')),
  );
  const newJob = (value: Placeholder<NewJobColumns>) => ({
    id: value('id'),
    name: value('name'),
    owner: value('owner'),
    email: value('email'),
    queue: value('queue'),
    image_type: value('image_type'),
    arch: value('arch'),
    kickstart: value('kickstart'),
    built_kickstart: null,
    tokenmap: value('tokenmap'),
    extra_repos: value('extra_repos'),
    packages: value('packages'),
    tags: value('tags'),
    pinned: value('pinned'),
    fresh: value('fresh'),
    retry_of: value('retry_of'),
    build_key: null,
    reused_from: null,
    status: 'IN QUEUE',
    ...failureColumns(null),
    created: value('created'),
    started: null,
    finished: null,
    worker: null,
    attempt: 0,
    heartbeat: null,
    cancel_requested: 0,
    updated: databaseNow,
    progress: null,
  });
  const insertJob = prepareQuery((value: Placeholder<NewJobColumns>) =>
    db.insertInto('jobs').values(newJob(value)).returningAll(),
  );
  const insertOutbox = prepareQuery((value: Placeholder<{ id: string; queue: string; created: string }>) =>
    db
      .insertInto('outbox')
      .values({ job_id: value('id'), queue: value('queue'), created: value('created'), attempts: 0 }),
  );
  // PostgreSQL stores the job and its outbox row in one statement, one round trip: the broker hears of the job
  // that much sooner. (SQLite's statements cannot hold an INSERT in a WITH; it needs no round trips anyway.)
  const insertJobAndOutbox = prepareQuery((value: Placeholder<NewJobColumns>) =>
    db
      .with('outbox_row', (db) =>
        db
          .insertInto('outbox')
          .values({ job_id: value('id'), queue: value('queue'), created: value('created'), attempts: 0 }),
      )
      .insertInto('jobs')
      .values(newJob(value))
      .returningAll(),
  );
  // Its place (see queuePosition) without counting the backlog: all that wait in the queue, as the triggers
  // counted them, less those with a later id.
  const newJobPosition = prepareQuery((value: Placeholder<{ id: string; queue: string }>) =>
    db
      .selectFrom('job_counts')
      .select((eb) =>
        eb(
          'job_counts.jobs',
          '-',
          eb
            .selectFrom('jobs')
            .select((eb) => eb.fn.countAll<number | string>().as('later'))
            .where('status', '=', 'IN QUEUE')
            .where('queue', '=', value('queue'))
            .where('id', '>', value('id'))
            .$asScalar(),
        ).as('position'),
      )
      .where('queue', '=', value('queue'))
      .where('status', '=', 'IN QUEUE'),
  );
  const deleteOutbox = prepareQuery((value: Placeholder<{ jobId: string }>) =>
    db.deleteFrom('outbox').where('job_id', '=', value('jobId')),
  );

  /**
   * The job and, when a transport publishes, its outbox row, written with `executor`: atomic in a transaction (a
   * group's, or storeAlone's on SQLite) or as PostgreSQL's one statement, so a job is stored only with the record
   * that it still needs publishing.
   */
  async function writeJob(executor: Kysely<Database>, columns: NewJobColumns) {
    if (!deps.publish) return insertJob.execute(executor, columns);
    if (deps.dialect === 'postgres') return insertJobAndOutbox.execute(executor, columns);
    await insertOutbox.execute(executor, columns);
    return insertJob.execute(executor, columns);
  }
  const storeAlone = (columns: NewJobColumns) =>
    deps.publish && deps.dialect === 'sqlite'
      ? db.transaction().execute((trx) => writeJob(trx, columns))
      : writeJob(db, columns);
  // In groups, in the order their ids were given: cheaper commits, and each job's place, counted after its commit,
  // finds every job this process stored before it.
  const store = groupCommit(db, writeJob, storeAlone);

  /** `email` undefined: the owner's. */
  async function enqueue(
    input: ValidJobInput & { owner: string; email?: string | null; queue: string; retry_of?: string },
    by: Actor,
  ) {
    const [found] = (await findQueue.execute(db, { queue: input.queue, owner: input.owner, by: by.username }))
      .rows;
    if (!found) throw new ServiceError('bad-request', `no queue named ${input.queue}`);
    // SQLite answers 0 or 1, PostgreSQL false or true.
    if (!by.admin && !found.open) throw await queueRefusal(db, input.queue, by.username);
    const created = now();
    const id = nextId(Date.parse(created), found.newest);
    const [row] = (
      await store({
        id,
        name: input.name,
        owner: input.owner,
        email: input.email === undefined ? found.email : input.email,
        queue: input.queue,
        image_type: input.type,
        arch: input.arch,
        kickstart: input.kickstart,
        tokenmap: input.tokenmap,
        extra_repos: JSON.stringify(input.extra_repos),
        packages: JSON.stringify(input.packages),
        tags: JSON.stringify(input.tags),
        pinned: input.pinned ? 1 : 0,
        fresh: input.fresh ? 1 : 0,
        retry_of: input.retry_of ?? null,
        created,
      })
    ).rows;
    if (!row) throw new Error(`job ${id} was not stored`);
    const job = jobFromRow(row);
    // Handed to the transport first, the place counted after: dispatch does not wait for the count. A worker
    // may have taken the job meanwhile, which leaves it out of the count: it was at the front then.
    await publish(job);
    announce(job);
    const [counted] = (await newJobPosition.execute(db, { id, queue: input.queue })).rows;
    return { ...job, queuePosition: Math.max(1, Number(counted?.position ?? 1)) };
  }

  async function writeOutbox(trx: Kysely<Database>, jobId: string, queue: string, created: string) {
    await insertOutbox.execute(trx, { id: jobId, queue, created });
  }

  /** Published now if the transport is up; otherwise the outbox row stays and the relay publishes it later. */
  async function publish(job: Job): Promise<void> {
    if (!deps.publish) return;
    try {
      await deps.publish({ id: job.id, queue: job.queue });
      await deleteOutbox.execute(db, { jobId: job.id });
    } catch {
      // The outbox row is the record that the job still needs publishing.
    }
  }

  /** One UPDATE picks and takes the job, so two workers can never both get it, on either database. */
  const claimUpdate = (
    value: Placeholder<{ workerId: string; stamp: string }>,
    pick: (eb: ExpressionBuilder<Database, 'jobs'>) => Expression<string>,
  ) =>
    db
      .updateTable('jobs')
      .set((eb) => ({
        status: 'BUILDING',
        worker: value('workerId'),
        started: value('stamp'),
        heartbeat: value('stamp'),
        progress: null,
        attempt: eb('attempt', '+', 1),
        updated: databaseNow,
      }))
      .where((eb) => eb('id', '=', pick(eb)))
      .where('status', '=', 'IN QUEUE')
      .returningAll();
  // A RabbitMQ worker's claim of the job its message names: on the path from submit to BUILDING.
  const claimJob = prepareQuery((value: Placeholder<{ workerId: string; stamp: string; jobId: string }>) =>
    claimUpdate(value, (eb) => eb.val(value('jobId'))),
  );

  function claimed(row: Selectable<JobsTable> | undefined): Job | null {
    if (!row) return null;
    const job = jobFromRow(row);
    announce(job);
    return job;
  }

  const workers = createWorkerRegistry(db, clock);
  return {
    events,
    workers,
    estimates: createEstimates(db, clock),

    async submit(input, owner) {
      return enqueue(
        {
          ...validateJobInput(input, deps.gpgKeyDir, deps.builder),
          owner: owner.username,
          ...(input.email === undefined ? {} : { email: input.email }),
          queue: input.queue ?? 'api',
        },
        owner,
      );
    },

    async claim(queueNames, workerId) {
      if (queueNames.length === 0) return null;
      const values = { workerId, stamp: now() };
      const row = await claimUpdate(
        (name) => values[name],
        (eb) => {
          let oldest = eb
            .selectFrom('jobs')
            .select('id')
            .where('status', '=', 'IN QUEUE')
            .where('queue', 'in', queueNames)
            .where('queue', 'in', (eb) =>
              eb.selectFrom('queues').select('name').where('starts_builds', '=', 1),
            )
            .orderBy('id')
            .limit(1);
          // Several worker processes on PostgreSQL each take a different row instead of queueing on one lock;
          // SQLite has a single writer, so the transaction alone is enough there.
          if (deps.dialect === 'postgres') oldest = oldest.forUpdate().skipLocked();
          return oldest.$asScalar();
        },
      ).executeTakeFirst();
      return claimed(row);
    },

    async claimById(jobId, workerId) {
      return claimed((await claimJob.execute(db, { workerId, stamp: now(), jobId })).rows[0]);
    },

    async heartbeat(jobId, workerId, progress) {
      const beat = db
        .updateTable('jobs')
        .where('id', '=', jobId)
        .where('worker', '=', workerId)
        .where('status', '=', 'BUILDING');
      if (progress === undefined) {
        const row = await beat.set({ heartbeat: now() }).returning('cancel_requested').executeTakeFirst();
        // A job that is no longer this worker's (requeued after a pause, removed) must stop as well.
        return { cancelled: !row || row.cancel_requested === 1 };
      }
      const row = await beat
        .set({ heartbeat: now(), progress: JSON.stringify(progress), updated: databaseNow })
        .returningAll()
        .executeTakeFirst();
      if (!row) return { cancelled: true };
      events.emit('job:progress', { job: jobFromRow(row) });
      return { cancelled: row.cancel_requested === 1 };
    },

    async finish(jobId, workerId, result) {
      const mains = result.artifacts.filter((artifact) => artifact.main).length;
      if (mains > 1)
        throw new ServiceError('bad-request', `job ${jobId}: ${mains} artifacts are marked main`);
      const building = await mustLoad(jobId);
      // The status change comes first in the transaction, so SQLite takes the write lock at once.
      const job = await db.transaction().execute(async (trx) => {
        const done = await move(
          building,
          'DONE',
          {
            finished: now(),
            built_kickstart: result.builtKickstart ?? null,
            cancel_requested: 0,
            ...(result.buildKey === undefined ? {} : { build_key: result.buildKey }),
            ...(result.reusedFrom === undefined ? {} : { reused_from: result.reusedFrom }),
          },
          { worker: workerId },
          trx,
        );
        await trx.deleteFrom('artifacts').where('job_id', '=', jobId).execute();
        const held = await stillCounted(trx, deps.dialect, result);
        if (result.artifacts.length > 0) {
          await trx
            .insertInto('artifacts')
            .values(
              result.artifacts.map((artifact) => ({
                job_id: jobId,
                name: artifact.name,
                size: artifact.size,
                sha256: artifact.sha256,
                main: artifact.main ? 1 : 0,
                counted: held.has(`${artifact.name}\0${artifact.sha256}`) ? 0 : 1,
              })),
            )
            .execute();
        }
        return { ...done, artifacts: [...result.artifacts].sort((a, b) => a.name.localeCompare(b.name)) };
      });
      announce(job);
      return job;
    },

    async claimBuildKey(jobId, workerId, key) {
      return db.transaction().execute(async (trx) => {
        // Two workers storing the same key at once must not both see the other's row missing: on PostgreSQL a
        // lock on the key orders them (SQLite's single writer already does).
        await lockKey(trx, deps.dialect, key);
        const job = await trx
          .selectFrom('jobs')
          .select('fresh')
          .where('id', '=', jobId)
          .where('worker', '=', workerId)
          .where('status', '=', 'BUILDING')
          .executeTakeFirst();
        if (!job) throw new ServiceError('conflict', `job ${jobId} is not being built by ${workerId}`);
        if (job.fresh === 0) {
          const other = await trx
            .selectFrom('jobs')
            .select('id')
            .where('build_key', '=', key)
            .where('status', '=', 'BUILDING')
            .where('id', '<>', jobId)
            .orderBy('id')
            .limit(1)
            .executeTakeFirst();
          if (other) return { building: other.id };
        }
        await trx.updateTable('jobs').set({ build_key: key }).where('id', '=', jobId).execute();
        return { building: null };
      });
    },

    async doneWithKey(key) {
      const rows = await db
        .selectFrom('jobs')
        .select('id')
        .where('build_key', '=', key)
        .where('status', '=', 'DONE')
        .orderBy('id', 'desc')
        .limit(20)
        .execute();
      const found = await Promise.all(rows.map((row) => reads.get(row.id)));
      return found.filter((job): job is Job => job !== null);
    },

    async fail(jobId, workerId, error) {
      const current = await mustLoad(jobId);
      // A cancel the user asked for is a cancel, whatever stopped the build; its step is kept.
      const cancelled =
        error.class === 'cancelled' ? error : failure('cancelled', 'cancelled while building', error.step);
      const job = current.cancel_requested
        ? await move(
            current,
            'CANCELLED',
            { finished: now(), ...failureColumns(cancelled) },
            { worker: workerId },
          )
        : await move(current, 'ERROR', { finished: now(), ...failureColumns(error) }, { worker: workerId });
      announce(job);
      return job;
    },

    async cancel(jobId, by) {
      const job = await mustLoad(jobId);
      mustOwnJob(job, by, 'cancel');
      if (job.status === 'IN QUEUE') {
        const cancelled = await move(job, 'CANCELLED', {
          finished: now(),
          ...failureColumns(failure('cancelled', `cancelled by ${by.username} while waiting`)),
        });
        announce(cancelled);
        return cancelled;
      }
      if (job.status !== 'BUILDING')
        throw new ServiceError('conflict', `job ${jobId} is already ${job.status}`);
      const row = await db
        .updateTable('jobs')
        .set({ cancel_requested: 1, updated: databaseNow })
        .where('id', '=', jobId)
        .where('status', '=', 'BUILDING')
        .returningAll()
        .executeTakeFirst();
      if (!row) return this.cancel(jobId, by);
      const flagged = { ...jobFromRow(row), artifacts: job.artifacts };
      events.emit('job:cancel-requested', { job: flagged });
      return flagged;
    },

    async retry(jobId, by) {
      const job = await mustLoad(jobId);
      mustOwnJob(job, by, 'retry');
      if (!isFinished(job.status))
        throw new ServiceError('conflict', `job ${jobId} is ${job.status}: not finished yet`);
      // The same inputs, `fresh` included: a retry of a failed build may still share an identical DONE one.
      return enqueue({ ...job, tags: [], pinned: false, owner: by.username, retry_of: job.id }, by);
    },

    async requeueStale(olderThanMs) {
      if (deps.health && deps.health.reachableForMs() < olderThanMs) return [];
      const cutoff = new Date(clock().getTime() - olderThanMs).toISOString();
      const stale = await db
        .selectFrom('jobs')
        .selectAll()
        .where('status', '=', 'BUILDING')
        .where((eb) => eb.or([eb('heartbeat', '<', cutoff), eb('heartbeat', 'is', null)]))
        .execute();
      const moved: Job[] = [];
      for (const row of stale) {
        const current = jobFromRow(row);
        const guard = { worker: row.worker ?? '', heartbeat: row.heartbeat };
        const silence = `worker ${row.worker} sent no heartbeat for ${Math.round(olderThanMs / 1000)} s`;
        try {
          let job: Job;
          if (row.cancel_requested === 1) {
            job = await move(current, 'CANCELLED', { finished: now() }, guard);
          } else if (row.attempt < MAX_ATTEMPTS) {
            job = await db.transaction().execute(async (trx) => {
              const requeued = await move(
                current,
                'IN QUEUE',
                { worker: null, started: null, heartbeat: null, progress: null },
                guard,
                trx,
              );
              if (deps.publish) await writeOutbox(trx, row.id, row.queue, now());
              return requeued;
            });
            await publish(job);
          } else {
            job = await move(
              current,
              'ERROR',
              {
                finished: now(),
                ...failureColumns(
                  failure(
                    'worker-lost',
                    `${silence} on attempt ${row.attempt} of ${MAX_ATTEMPTS}; not retried again`,
                  ),
                ),
              },
              guard,
            );
          }
          announce(job);
          moved.push(job);
        } catch (error) {
          // The worker came back (a heartbeat landed) or another sweeper won: the job is not stale any more.
          if (!(error instanceof ServiceError && error.code === 'conflict')) throw error;
        }
      }
      return moved;
    },

    async republishWaiting(queue) {
      const { numInsertedOrUpdatedRows } = await db
        .insertInto('outbox')
        .columns(['job_id', 'queue', 'created', 'attempts'])
        .expression((eb) =>
          eb
            .selectFrom('jobs')
            // The job's own creation time: the relay publishes it at once, as one whose publish failed then.
            .select(['id', 'queue', 'created', sql.lit(0).as('attempts')])
            .where('status', '=', 'IN QUEUE')
            .where('queue', '=', queue)
            .where(({ not, exists, selectFrom }) =>
              not(exists(selectFrom('outbox').select('outbox.id').whereRef('outbox.job_id', '=', 'jobs.id'))),
            )
            .orderBy('id'),
        )
        .executeTakeFirst();
      return Number(numInsertedOrUpdatedRows ?? 0);
    },

    async remove(jobId, by) {
      const job = await mustLoad(jobId);
      mustOwnJob(job, by, 'delete');
      if (job.pinned)
        throw new ServiceError('pinned-job', `job ${jobId} is pinned; unpin it before deleting it`);
      if (job.status === 'BUILDING')
        throw new ServiceError('conflict', `job ${jobId} is building; cancel it first`);
      await db.transaction().execute(async (trx) => {
        await handOverSharedFiles(trx, deps.dialect, job);
        await trx.deleteFrom('artifacts').where('job_id', '=', jobId).execute();
        await trx.deleteFrom('outbox').where('job_id', '=', jobId).execute();
        const deleted = await trx
          .deleteFrom('jobs')
          .where('id', '=', jobId)
          .where('status', '=', job.status)
          // Pinned or claimed since the checks above: kept; the caller's retry meets the refusal.
          .where('pinned', '=', 0)
          .executeTakeFirst();
        if (deleted.numDeletedRows === 0n)
          throw new ServiceError('conflict', `job ${jobId} changed; try again`);
      });
      events.emit('job:removed', { job });
      return job;
    },

    async update(jobId, changes, by) {
      const job = await mustLoad(jobId);
      mustOwnJob(job, by, 'change');
      const set: Updateable<JobsTable> = {};
      if (changes.tags !== undefined) set.tags = JSON.stringify(validTags(changes.tags));
      if (changes.pinned !== undefined) set.pinned = changes.pinned ? 1 : 0;
      if (Object.keys(set).length === 0) return job;
      await db
        .updateTable('jobs')
        .set({ ...set, updated: databaseNow })
        .where('id', '=', jobId)
        .execute();
      return mustLoad(jobId);
    },

    buildStats: (query) => queryBuildStats(db, deps.dialect, deps.longRead ?? readOnLoop(db), query, clock()),

    ...reads,
  };
}

import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import type { Dialect } from './connect.ts';
import { isUnavailable } from './outage.ts';

/** Numbered schema steps; applied in order at start-up, never edited once released. */
function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_initial': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('queues')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('starts_builds', 'integer', (c) => c.notNull().defaultTo(1))
          .execute();
        await db
          .insertInto('queues' as never)
          .values([
            { name: 'web', description: 'jobs submitted from the web pages', starts_builds: 1 },
            { name: 'api', description: 'jobs submitted through the REST API', starts_builds: 1 },
            { name: 'requests', description: 'jobs requested by BOSS workitems', starts_builds: 1 },
          ] as never)
          .execute();

        await db.schema
          .createTable('jobs')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('owner', 'text', (c) => c.notNull())
          .addColumn('email', 'text')
          .addColumn('queue', 'text', (c) => c.notNull())
          .addColumn('image_type', 'text', (c) => c.notNull())
          .addColumn('arch', 'text', (c) => c.notNull())
          .addColumn('kickstart', 'text', (c) => c.notNull())
          .addColumn('built_kickstart', 'text')
          .addColumn('tokenmap', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('extra_repos', 'text', (c) => c.notNull().defaultTo('[]'))
          .addColumn('packages', 'text', (c) => c.notNull().defaultTo('[]'))
          .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
          .addColumn('pinned', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('error_class', 'text')
          .addColumn('error_message', 'text')
          .addColumn('created', 'text', (c) => c.notNull())
          .addColumn('started', 'text')
          .addColumn('finished', 'text')
          .addColumn('worker', 'text')
          .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('heartbeat', 'text')
          .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        // Every list is newest first by id (a ULID, so by time): each filter gets an index ending in id, and a
        // cursor page is an index range scan however many jobs there are.
        for (const column of ['queue', 'owner', 'status']) {
          await db.schema.createIndex(`jobs_${column}_id`).on('jobs').columns([column, 'id']).execute();
        }
        // claim: the oldest waiting job of some queues.
        await db.schema
          .createIndex('jobs_status_queue_id')
          .on('jobs')
          .columns(['status', 'queue', 'id'])
          .execute();

        await db.schema
          .createTable('artifacts')
          .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('size', 'bigint', (c) => c.notNull())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('main', 'integer', (c) => c.notNull().defaultTo(0))
          .addPrimaryKeyConstraint('artifacts_pk', ['job_id', 'name'])
          .execute();

        await db.schema
          .createTable('users')
          .addColumn('username', 'text', (c) => c.primaryKey())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('email', 'text')
          .addColumn('admin', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('groups')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
          .execute();
        await db.schema
          .createTable('group_members')
          .addColumn('group_name', 'text', (c) => c.notNull().references('groups.name').onDelete('cascade'))
          .addColumn('username', 'text', (c) => c.notNull().references('users.username').onDelete('cascade'))
          .addPrimaryKeyConstraint('group_members_pk', ['group_name', 'username'])
          .execute();
        await db.schema
          .createTable('api_tokens')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('username', 'text', (c) => c.notNull().references('users.username').onDelete('cascade'))
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('created', 'text', (c) => c.notNull())
          .addColumn('last_used', 'text')
          .execute();

        await db.schema
          .createTable('outbox')
          .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('job_id', 'text', (c) => c.notNull())
          .addColumn('queue', 'text', (c) => c.notNull())
          .addColumn('created', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
      },
    },
    '0002_jobs_updated': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable('jobs')
          .addColumn('updated', 'text', (c) => c.notNull().defaultTo(''))
          .execute();
        await sql`update jobs set updated = coalesce(finished, started, created)`.execute(db);
        // The change feed's poll: the jobs changed since a moment, an index range however many jobs there are.
        await db.schema.createIndex('jobs_updated').on('jobs').column('updated').execute();
      },
    },
    '0003_sessions_and_token_expiry': {
      async up(db: Kysely<unknown>) {
        // Logins kept on the server, so logging out or a new password ends them whatever cookies were saved.
        await db.schema
          .createTable('sessions')
          .addColumn('id_hash', 'text', (c) => c.primaryKey())
          .addColumn('username', 'text', (c) => c.notNull().references('users.username').onDelete('cascade'))
          .addColumn('created', 'text', (c) => c.notNull())
          .addColumn('expires', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('sessions_username').on('sessions').column('username').execute();
        await db.schema.alterTable('api_tokens').addColumn('name', 'text').execute();
        await db.schema.alterTable('api_tokens').addColumn('expires', 'text').execute();
      },
    },
    '0004_ldap_users': {
      async up(db: Kysely<unknown>) {
        // Users made by an LDAP login: their password lives there, and IMG keeps none (an empty hash).
        await db.schema
          .alterTable('users')
          .addColumn('ldap', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
      },
    },
    '0005_job_counts': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('job_counts')
          .addColumn('queue', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('jobs', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('bytes', 'bigint', (c) => c.notNull().defaultTo(0))
          .addPrimaryKeyConstraint('job_counts_pk', ['queue', 'status'])
          .execute();
        for (const statement of dialect === 'postgres' ? POSTGRES_COUNT_TRIGGERS : SQLITE_COUNT_TRIGGERS) {
          await sql.raw(statement).execute(db);
        }
        await sql`
          insert into job_counts (queue, status, jobs, bytes)
          select queue, status, count(*), coalesce(sum((select sum(size) from artifacts where job_id = jobs.id)), 0)
          from jobs group by queue, status`.execute(db);
      },
    },
    '0006_failure_details': {
      async up(db: Kysely<unknown>) {
        // A failure's step and details (src/contract/failure.ts): what a user needs to act on it, kept with the job.
        await db.schema.alterTable('jobs').addColumn('error_step', 'text').execute();
        await db.schema
          .alterTable('jobs')
          .addColumn('error_details', 'text', (c) => c.notNull().defaultTo('{}'))
          .execute();
      },
    },
    '0007_progress_and_workers': {
      async up(db: Kysely<unknown>) {
        // The building job's last reported step, as JSON (JobProgress); null while it waits.
        await db.schema.alterTable('jobs').addColumn('progress', 'text').execute();
        // Each running worker's row, written by its own beat, so the service can say who serves which queue.
        await db.schema
          .createTable('workers')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('host', 'text', (c) => c.notNull())
          .addColumn('slots', 'integer', (c) => c.notNull())
          .addColumn('busy', 'integer', (c) => c.notNull())
          .addColumn('queues', 'text', (c) => c.notNull())
          .addColumn('version', 'text', (c) => c.notNull())
          .addColumn('started', 'text', (c) => c.notNull())
          .addColumn('heartbeat', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0008_share_links_and_default_password': {
      async up(db: Kysely<unknown>) {
        // A job's files given to people without an account: the link's random token is kept only as its sha256,
        // so a copy of the database opens no download; revoking deletes the row, and so does deleting the job.
        await db.schema
          .createTable('share_links')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created', 'text', (c) => c.notNull())
          .addColumn('expires', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('share_links_job_id').on('share_links').column('job_id').execute();
        // 1 while the account still has the password it was made with at first start: the pages warn about it
        // without a password check per page. Set from a check of the hash at every start, cleared by any change.
        await db.schema
          .alterTable('users')
          .addColumn('default_password', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
      },
    },
    '0009_queue_groups_site_and_filters': {
      async up(db: Kysely<unknown>) {
        // A queue named here is open only to its groups' members (and admins); a queue named nowhere, to all.
        await db.schema
          .createTable('queue_groups')
          .addColumn('queue_name', 'text', (c) => c.notNull().references('queues.name').onDelete('cascade'))
          .addColumn('group_name', 'text', (c) => c.notNull().references('groups.name').onDelete('cascade'))
          .addPrimaryKeyConstraint('queue_groups_pk', ['queue_name', 'group_name'])
          .execute();
        // What an admin set in the pages (the site's name, its public base URL), over img.conf until cleared.
        await db.schema
          .createTable('site_settings')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();
        // The queue page's filters by arch and type, each an index range newest first as the others are (0001).
        for (const column of ['arch', 'image_type']) {
          await db.schema.createIndex(`jobs_${column}_id`).on('jobs').columns([column, 'id']).execute();
        }
      },
    },
    '0010_build_keys_and_lineage': {
      async up(db: Kysely<unknown>) {
        // The key that says two jobs make the same image (src/builder/build-key.ts), whether the user asked for
        // a fresh build anyway, and where a job came from: a retry, or another job's files it shares.
        await db.schema.alterTable('jobs').addColumn('build_key', 'text').execute();
        await db.schema
          .alterTable('jobs')
          .addColumn('fresh', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.alterTable('jobs').addColumn('retry_of', 'text').execute();
        await db.schema.alterTable('jobs').addColumn('reused_from', 'text').execute();
        // A worker looks up the DONE or building jobs of a key before every build.
        await db.schema
          .createIndex('jobs_build_key_status')
          .on('jobs')
          .columns(['build_key', 'status'])
          .execute();
        // A file several jobs share (hard links) counts once in job_counts' bytes: in the job that made it, or,
        // once that one is deleted, in one job still holding it (see the jobs module's remove).
        await db.schema
          .alterTable('artifacts')
          .addColumn('counted', 'integer', (c) => c.notNull().defaultTo(1))
          .execute();
        for (const statement of dialect === 'postgres' ? POSTGRES_COUNTED_BYTES : SQLITE_COUNTED_BYTES) {
          await sql.raw(statement).execute(db);
        }
      },
    },
    '0011_build_key_index_partial': {
      async up(db: Kysely<unknown>) {
        // A job gets its key when a worker takes it: a submission no longer writes a NULL entry into this index,
        // one b-tree of nine, 8 % of its INSERT. A lookup by key (build_key = ?) implies NOT NULL, so both
        // databases still use it. SQLite runs the steps of a migration one by one: one stopped between the drop
        // and the create runs again at the next start, and finds the index gone.
        await db.schema.dropIndex('jobs_build_key_status').ifExists().execute();
        await db.schema
          .createIndex('jobs_build_key_status')
          .on('jobs')
          .columns(['build_key', 'status'])
          .where(sql.ref('build_key'), 'is not', null)
          .execute();
      },
    },
  };
}

/*
 * job_counts holds how many jobs each (queue, status) has and their artifacts' bytes, kept by triggers in the
 * transaction of every change, whoever writes: /metrics and a submission's queue position read one row instead
 * of counting a million. A job's bytes move with it when its status changes; a deleted job takes its bytes along
 * before its artifacts go (by cascade or not), so the artifacts' own triggers then find no job and change nothing.
 */
const SQLITE_COUNT_TRIGGERS = [
  `create trigger job_counts_insert after insert on jobs begin
     insert into job_counts (queue, status, jobs) values (new.queue, new.status, 1)
       on conflict (queue, status) do update set jobs = jobs + 1;
   end`,
  `create trigger job_counts_delete before delete on jobs begin
     update job_counts set jobs = jobs - 1,
       bytes = bytes - (select coalesce(sum(size), 0) from artifacts where job_id = old.id)
     where queue = old.queue and status = old.status;
   end`,
  `create trigger job_counts_update after update of status, queue on jobs
   when new.status <> old.status or new.queue <> old.queue begin
     insert into job_counts (queue, status) values (new.queue, new.status) on conflict (queue, status) do nothing;
     update job_counts set jobs = jobs - 1,
       bytes = bytes - (select coalesce(sum(size), 0) from artifacts where job_id = old.id)
     where queue = old.queue and status = old.status;
     update job_counts set jobs = jobs + 1,
       bytes = bytes + (select coalesce(sum(size), 0) from artifacts where job_id = new.id)
     where queue = new.queue and status = new.status;
   end`,
  `create trigger job_counts_artifact_insert after insert on artifacts begin
     update job_counts set bytes = bytes + new.size
     where (queue, status) = (select queue, status from jobs where id = new.job_id);
   end`,
  `create trigger job_counts_artifact_delete after delete on artifacts begin
     update job_counts set bytes = bytes - old.size
     where (queue, status) = (select queue, status from jobs where id = old.job_id);
   end`,
];

/** 0010: job_counts' bytes count only the artifacts marked `counted`, and follow a change of the mark. */
const SQLITE_COUNTED_BYTES = [
  'drop trigger job_counts_delete',
  'drop trigger job_counts_update',
  'drop trigger job_counts_artifact_insert',
  'drop trigger job_counts_artifact_delete',
  `create trigger job_counts_delete before delete on jobs begin
     update job_counts set jobs = jobs - 1,
       bytes = bytes - (select coalesce(sum(size), 0) from artifacts where job_id = old.id and counted = 1)
     where queue = old.queue and status = old.status;
   end`,
  `create trigger job_counts_update after update of status, queue on jobs
   when new.status <> old.status or new.queue <> old.queue begin
     insert into job_counts (queue, status) values (new.queue, new.status) on conflict (queue, status) do nothing;
     update job_counts set jobs = jobs - 1,
       bytes = bytes - (select coalesce(sum(size), 0) from artifacts where job_id = old.id and counted = 1)
     where queue = old.queue and status = old.status;
     update job_counts set jobs = jobs + 1,
       bytes = bytes + (select coalesce(sum(size), 0) from artifacts where job_id = new.id and counted = 1)
     where queue = new.queue and status = new.status;
   end`,
  `create trigger job_counts_artifact_insert after insert on artifacts when new.counted = 1 begin
     update job_counts set bytes = bytes + new.size
     where (queue, status) = (select queue, status from jobs where id = new.job_id);
   end`,
  `create trigger job_counts_artifact_delete after delete on artifacts when old.counted = 1 begin
     update job_counts set bytes = bytes - old.size
     where (queue, status) = (select queue, status from jobs where id = old.job_id);
   end`,
  `create trigger job_counts_artifact_counted after update of counted on artifacts
   when new.counted <> old.counted begin
     update job_counts set bytes = bytes + (case new.counted when 1 then new.size else -new.size end)
     where (queue, status) = (select queue, status from jobs where id = new.job_id);
   end`,
];

const POSTGRES_COUNTED_BYTES = [
  `create or replace function img_count_jobs() returns trigger language plpgsql as $$
   declare
     moved bigint;
   begin
     if tg_op = 'INSERT' then
       insert into job_counts (queue, status, jobs) values (new.queue, new.status, 1)
         on conflict (queue, status) do update set jobs = job_counts.jobs + 1;
       return new;
     end if;
     if tg_op = 'DELETE' then
       select coalesce(sum(size), 0) into moved from artifacts where job_id = old.id and counted = 1;
       update job_counts set jobs = jobs - 1, bytes = bytes - moved
       where queue = old.queue and status = old.status;
       return old;
     end if;
     if new.status = old.status and new.queue = old.queue then
       return new;
     end if;
     insert into job_counts (queue, status) values (new.queue, new.status) on conflict (queue, status) do nothing;
     select coalesce(sum(size), 0) into moved from artifacts where job_id = new.id and counted = 1;
     perform 1 from job_counts where (queue, status) in ((old.queue, old.status), (new.queue, new.status))
       order by queue, status for update;
     update job_counts set jobs = jobs - 1, bytes = bytes - moved where queue = old.queue and status = old.status;
     update job_counts set jobs = jobs + 1, bytes = bytes + moved where queue = new.queue and status = new.status;
     return new;
   end $$`,
  `create or replace function img_count_artifacts() returns trigger language plpgsql as $$
   declare
     change bigint;
     row_job text;
   begin
     if tg_op = 'INSERT' then
       change := case when new.counted = 1 then new.size else 0 end;
       row_job := new.job_id;
     elsif tg_op = 'DELETE' then
       change := case when old.counted = 1 then -old.size else 0 end;
       row_job := old.job_id;
     else
       change := (case when new.counted = 1 then new.size else 0 end) - (case when old.counted = 1 then old.size else 0 end);
       row_job := new.job_id;
     end if;
     if change <> 0 then
       update job_counts set bytes = bytes + change
       where (queue, status) = (select queue, status from jobs where id = row_job);
     end if;
     return null;
   end $$`,
  'drop trigger job_counts_artifacts on artifacts',
  'create trigger job_counts_artifacts after insert or delete or update of counted on artifacts for each row execute function img_count_artifacts()',
];

/** The same on PostgreSQL, where a move locks its two rows in key order, as every move does: no deadlock. */
const POSTGRES_COUNT_TRIGGERS = [
  `create function img_count_jobs() returns trigger language plpgsql as $$
   declare
     moved bigint;
   begin
     if tg_op = 'INSERT' then
       insert into job_counts (queue, status, jobs) values (new.queue, new.status, 1)
         on conflict (queue, status) do update set jobs = job_counts.jobs + 1;
       return new;
     end if;
     if tg_op = 'DELETE' then
       select coalesce(sum(size), 0) into moved from artifacts where job_id = old.id;
       update job_counts set jobs = jobs - 1, bytes = bytes - moved
       where queue = old.queue and status = old.status;
       return old;
     end if;
     if new.status = old.status and new.queue = old.queue then
       return new;
     end if;
     insert into job_counts (queue, status) values (new.queue, new.status) on conflict (queue, status) do nothing;
     select coalesce(sum(size), 0) into moved from artifacts where job_id = new.id;
     perform 1 from job_counts where (queue, status) in ((old.queue, old.status), (new.queue, new.status))
       order by queue, status for update;
     update job_counts set jobs = jobs - 1, bytes = bytes - moved where queue = old.queue and status = old.status;
     update job_counts set jobs = jobs + 1, bytes = bytes + moved where queue = new.queue and status = new.status;
     return new;
   end $$`,
  `create function img_count_artifacts() returns trigger language plpgsql as $$
   begin
     if tg_op = 'INSERT' then
       update job_counts set bytes = bytes + new.size
       where (queue, status) = (select queue, status from jobs where id = new.job_id);
       return new;
     end if;
     update job_counts set bytes = bytes - old.size
     where (queue, status) = (select queue, status from jobs where id = old.job_id);
     return old;
   end $$`,
  'create trigger job_counts_insert after insert on jobs for each row execute function img_count_jobs()',
  'create trigger job_counts_delete before delete on jobs for each row execute function img_count_jobs()',
  'create trigger job_counts_update after update of status, queue on jobs for each row execute function img_count_jobs()',
  'create trigger job_counts_artifacts after insert or delete on artifacts for each row execute function img_count_artifacts()',
];

export async function migrate(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
    migrationTableName: 'img_migrations',
    migrationLockTableName: 'img_migrations_lock',
    ...(dialect === 'postgres' ? { migrationTableSchema: await currentSchema(db) } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (!error) return;
  // The database went away meanwhile: the caller may wait for it and try again.
  if (isUnavailable(error)) throw error;
  const message = (error as Error).message;
  // Kysely's words for a step this code does not know: the database is a newer IMG's (see docs/operations.md).
  const newer = /previously executed migration (\S+) is missing/.exec(message)?.[1];
  if (newer) {
    throw new Error(
      `the database was migrated by a newer IMG (its step ${newer} is unknown to this one): ` +
        'run the same IMG version on every machine',
      { cause: error },
    );
  }
  const failed = results?.find((result) => result.status === 'Error')?.migrationName;
  throw new Error(`database migration ${failed ? `${failed} ` : ''}failed: ${message}`, { cause: error });
}

/**
 * The schema the search_path puts IMG's tables in. Told no schema, Kysely takes its bookkeeping tables as made when
 * any schema the role can see has them, so a fresh schema in a database where another one holds IMG (a second
 * installation, a test's own schema) would never get them, and its first start would fail.
 */
async function currentSchema(db: Kysely<unknown>): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

import { type Kysely, sql } from 'kysely';
import type { Database } from '../../src/service/db/index.ts';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** SQL for `value` as `digits` Crockford base32 characters, most significant first, as a ULID spells it. */
function base32(value: string, digits: number): string {
  return Array.from(
    { length: digits },
    (_, k) => `substr('${CROCKFORD}', ((${value} >> ${5 * (digits - 1 - k)}) & 31) + 1, 1)`,
  ).join(' || ');
}

export interface SeedShape {
  jobs: number;
  /** The newest jobs wait IN QUEUE, a backlog; the rest finished, mostly DONE. */
  waiting: number;
  owners: number;
  /** The jobs go round these queues; web, api and requests by default. */
  queues?: readonly string[];
}

/**
 * Inserts finished and waiting jobs in one INSERT … SELECT over a recursive counter, which SQLite runs in seconds
 * where a million API submissions would take the better part of an hour. It writes rows the jobs module would
 * write (ULID ids in time order, one job a minute back from now, ISO timestamps, JSON lists) but bypasses it: only
 * a benchmark may do that. SQLite only.
 */
export async function seedJobs(db: Kysely<Database>, shape: SeedShape): Promise<void> {
  const { jobs, waiting, owners, queues = ['web', 'api', 'requests'] } = shape;
  const queueOf = `case i % ${queues.length} ${queues.map((queue, k) => `when ${k} then '${queue}'`).join(' ')} end`;
  const newestMs = Date.now();
  const kickstart =
    'lang en_US.UTF-8\nkeyboard us\ntimezone UTC\nrootpw --iscrypted $6$salt$hash\n' +
    'part / --size=4000 --fstype=ext4\n%packages\n@core\nbash\nopenssh-server\n%end\n%post\necho built\n%end\n';
  const iso = (ms: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', (${ms}) / 1000.0, 'unixepoch')`;
  await sql
    .raw(`
    with recursive counter(i) as (select 1 union all select i + 1 from counter where i < ${jobs}),
    seeded(i, t, status) as (
      select i, ${newestMs} - (${jobs} - i) * 60000,
        case when i > ${jobs - waiting} then 'IN QUEUE' when i % 50 = 0 then 'ERROR'
             when i % 97 = 0 then 'CANCELLED' else 'DONE' end
      from counter
    )
    insert into jobs (id, name, owner, email, queue, image_type, arch, kickstart, built_kickstart, tokenmap,
      extra_repos, packages, tags, pinned, status, error_class, error_message, created, started, finished,
      worker, attempt, heartbeat, cancel_requested)
    select ${base32('t', 10)} || ${base32('i', 16)}, 'job-' || i, 'user' || (i % ${owners}), null,
      ${queueOf}, 'fs', 'x86_64',
      '${kickstart.replaceAll("'", "''")}', null, '', '[]', '[]',
      case when i % 10 = 0 then '["nightly"]' else '[]' end, 0, status,
      case status when 'ERROR' then 'build-failed' end, case status when 'ERROR' then 'mmdebstrap exited with 1' end,
      ${iso('t')}, case when status = 'IN QUEUE' then null else ${iso('t + 5000')} end,
      case when status = 'IN QUEUE' then null else ${iso('t + 45000')} end,
      case when status = 'IN QUEUE' then null else 'worker-' || (i % 4) end,
      case when status = 'IN QUEUE' then 0 else 1 end, null, 0
    from seeded`)
    .execute(db);
  // What a finished build leaves: one image per DONE job, listed with every page.
  await sql
    .raw(`
    insert into artifacts (job_id, name, size, sha256, main)
    select id, name || '.tar.gz', 250000000, lower(hex(randomblob(32))), 1 from jobs where status = 'DONE'`)
    .execute(db);
}

import type { Generated } from 'kysely';

/**
 * The tables as Kysely sees them. Timestamps are ISO 8601 text and flags are 0/1 integers in both SQLite and
 * PostgreSQL, so one set of queries serves both; lists (tags, repos, packages) are JSON text.
 */
export interface JobsTable {
  id: string;
  name: string;
  owner: string;
  email: string | null;
  queue: string;
  image_type: string;
  arch: string;
  kickstart: string;
  built_kickstart: string | null;
  tokenmap: string;
  extra_repos: string;
  packages: string;
  tags: string;
  pinned: number;
  status: string;
  error_class: string | null;
  error_message: string | null;
  /** The build step a failure happened in; null outside the build (or before 0006). */
  error_step: string | null;
  /** A failure's details as JSON (FailureDetailsSchema); `{}` when none. */
  error_details: Generated<string>;
  created: string;
  started: string | null;
  finished: string | null;
  worker: string | null;
  attempt: number;
  heartbeat: string | null;
  cancel_requested: number;
  /**
   * When the job last changed (not its heartbeats), by the database's clock rather than the writer's: the change
   * feed orders the writes of every machine by it, and their clocks may disagree.
   */
  updated: string;
  /** JobProgress as JSON, while the job builds (and as it last was, after). */
  progress: string | null;
  /** The build key (src/builder/build-key.ts), once a worker resolved it; null before (or without one). */
  build_key: string | null;
  /** 1: build afresh even when a job with the same key is DONE or building. */
  fresh: number;
  /** The job this one is a retry of. */
  retry_of: string | null;
  /** The DONE job whose files this one shares instead of building. */
  reused_from: string | null;
}

/** A running worker, as its last beat described it. */
export interface WorkersTable {
  id: string;
  host: string;
  slots: number;
  busy: number;
  /** JSON list of the queue names it consumes now. */
  queues: string;
  version: string;
  started: string;
  heartbeat: string;
}

export interface ArtifactsTable {
  job_id: string;
  name: string;
  /** bigint in PostgreSQL, which pg returns as a string: read through Number(). */
  size: number | string;
  sha256: string;
  main: number;
  /** 0: a hard link of a file another job's row counts already; job_counts' bytes count each file once. */
  counted: Generated<number>;
}

export interface QueuesTable {
  name: string;
  description: string;
  /** 0 for queues that only record jobs built elsewhere (the original's `requests`, handle_launch false). */
  starts_builds: number;
}

export interface UsersTable {
  username: string;
  /** Empty for LDAP users: no password verifies against it. */
  password_hash: string;
  email: string | null;
  admin: number;
  created: string;
  /** 1: made and updated by LDAP logins, its password checked by the directory only. */
  ldap: Generated<number>;
  /** 1: still the password the first start gave it (DEFAULT_ADMIN); kept by the user service. */
  default_password: Generated<number>;
}

export interface GroupsTable {
  name: string;
  description: string;
}

export interface GroupMembersTable {
  group_name: string;
  username: string;
}

export interface ApiTokensTable {
  id: string;
  username: string;
  /** sha256 of the token: a stolen database does not give working tokens. */
  token_hash: string;
  created: string;
  last_used: string | null;
  /** What its owner calls it; null when unnamed. */
  name: string | null;
  /** ISO 8601; null: until revoked. */
  expires: string | null;
}

/** A queue's groups: only their members (and admins) may submit to it; a queue without rows is open to all. */
export interface QueueGroupsTable {
  queue_name: string;
  group_name: string;
}

/** The site's settings an admin made in the pages, by key (`name`, `base_url`); a missing row: img.conf's. */
export interface SiteSettingsTable {
  key: string;
  value: string;
}

/** A browser's login: the cookie carries the random id, the table only its sha256. */
export interface SessionsTable {
  id_hash: string;
  username: string;
  created: string;
  expires: string;
}

/** A link that downloads one job's files without a login, until it expires or is revoked. */
export interface ShareLinksTable {
  id: string;
  job_id: string;
  /** sha256 of the token: the token itself is shown once, to its maker. */
  token_hash: string;
  created_by: string;
  created: string;
  expires: string;
}

/** Jobs stored but not yet handed to RabbitMQ; the relay publishes and deletes them. */
export interface OutboxTable {
  id: Generated<number>;
  job_id: string;
  queue: string;
  created: string;
  attempts: number;
}

/** Jobs and their artifacts' bytes by queue and status, kept by triggers (see migration 0003). */
export interface JobCountsTable {
  queue: string;
  status: string;
  /** bigint: pg returns them as strings; read through Number(). */
  jobs: number | string;
  bytes: number | string;
}

export interface Database {
  jobs: JobsTable;
  artifacts: ArtifactsTable;
  queues: QueuesTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  outbox: OutboxTable;
  workers: WorkersTable;
  job_counts: JobCountsTable;
  share_links: ShareLinksTable;
  queue_groups: QueueGroupsTable;
  site_settings: SiteSettingsTable;
}

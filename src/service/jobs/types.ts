import type { Arch } from '../../builder/arches.ts';
import type { ImageType } from '../../builder/image-types.ts';
import type { Failure } from '../../contract/failure.ts';
import type { JobProgress } from '../../contract/progress.ts';
import type { JobStatus } from '../../contract/status.ts';

/** One file a build left in the job's folder. `main` marks the image `GET /jobs/{id}/image` answers. */
export interface Artifact {
  name: string;
  size: number;
  sha256: string;
  main: boolean;
}

export interface Job {
  /** A ULID: unique, URL-safe and sorted by creation time. */
  id: string;
  name: string;
  owner: string;
  email: string | null;
  queue: string;
  type: ImageType;
  arch: Arch;
  /** The kickstart as the user sent it. */
  kickstart: string;
  /** The kickstart the builder used (tokens substituted, overlay applied); null until a worker stores it. */
  builtKickstart: string | null;
  /** `TOKEN:VALUE,…`, the format mic's --tokenmap takes. */
  tokenmap: string;
  extraRepos: string[];
  /** The package overlay: `-name` excludes, `@name` is a group. */
  packages: string[];
  tags: string[];
  pinned: boolean;
  status: JobStatus;
  /** Why it ended in ERROR (or was cancelled while building): the failure contract's shape. */
  error: Failure | null;
  /** ISO 8601 timestamps. */
  created: string;
  started: string | null;
  finished: string | null;
  worker: string | null;
  /** How many times a worker claimed the job; a second silent worker makes it ERROR. */
  attempt: number;
  heartbeat: string | null;
  /** Set when a user cancels a BUILDING job: the worker sees it on its next heartbeat and stops. */
  cancelRequested: boolean;
  /** When the job last changed, heartbeats aside (ISO 8601, the database's clock): the change feed's order. */
  updated: string;
  /** The step the build is in, as its worker last reported it; null until the first report of this attempt. */
  progress: JobProgress | null;
  artifacts: Artifact[];
}

/** A job just stored, with its place in its queue then. */
export interface SubmittedJob extends Job {
  /** Its queue position when it was stored, as queuePosition reads it, found without counting the backlog. */
  queuePosition: number;
}

/** Who asks for a change: permissions are checked against this. */
export interface Actor {
  username: string;
  admin: boolean;
}

/** What `submit` takes: the kickstart text is already read (from JSON, a multipart file or a template). */
export interface SubmitInput {
  kickstart: string;
  type: string;
  arch: string;
  name?: string;
  queue?: string;
  email?: string;
  tokenmap?: string;
  extraRepos?: string[];
  packages?: string[];
  tags?: string[];
  pinned?: boolean;
}

/** The lint result of a refused kickstart, line by line. */
export interface KickstartProblem {
  line: number;
  message: string;
}

export interface JobFilter {
  queue?: string;
  owner?: string;
  status?: JobStatus;
  arch?: string;
  type?: string;
  tag?: string;
  /** Matched against the name and the id. */
  text?: string;
  /** Only jobs up to this id (a bulk delete's: none submitted after the admin counted). */
  through?: string;
}

/** A job without its inputs and its files: what a list shows, read without the large columns. */
export type JobSummary = Omit<
  Job,
  'kickstart' | 'builtKickstart' | 'tokenmap' | 'extraRepos' | 'packages' | 'artifacts'
>;

export interface JobPage {
  jobs: JobSummary[];
  /** Pass back as `before` for the next (older) page; null on the last page. */
  next: string | null;
  /** How many match, counted within bounds (see `countJobs`). */
  total: { count: number; exact: boolean };
}

export interface FinishInput {
  artifacts: Artifact[];
  builtKickstart?: string;
}

import type { Static } from '@sinclair/typebox';
import type { Arch } from '../../builder/arches.ts';
import type { ImageType } from '../../builder/image-types.ts';
import type { ArtifactSchema, JobRecordInputs, JobRecordSummary } from '../../contract/api.ts';
import type { JobStatus } from '../../contract/status.ts';

/** One file a build left in the job's folder. `main` marks the image `GET /jobs/{id}/image` answers. */
export type Artifact = Static<typeof ArtifactSchema>;

/**
 * A job without its inputs and its files, as the jobs module keeps it: the contract's fields (src/contract/api.ts,
 * the one definition), with its image type and architecture known to be valid, and two the service keeps for
 * itself: the last heartbeat, and `updated`, when the job last changed (heartbeats aside; the database's clock),
 * the change feed's order.
 */
export type JobSummary = Omit<Static<typeof JobRecordSummary>, 'type' | 'arch'> & {
  type: ImageType;
  arch: Arch;
  heartbeat: string | null;
  updated: string;
};

/** A whole job: the summary, its inputs as submitted and built, and its files. */
export type Job = JobSummary & Static<typeof JobRecordInputs>;

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
  /** Build afresh even when an identical build is DONE or running. */
  fresh?: boolean;
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
  /** The build key the worker resolved (src/builder/build-key.ts); absent when it resolved none. */
  buildKey?: string;
  /** The DONE job whose files the job shares instead of building. */
  reusedFrom?: string;
  /** The artifacts that are hard links of that job's files: stored once, so counted once. */
  shared?: readonly string[];
}

import type { Selectable } from 'kysely';
import type { Arch } from '../../builder/arches.ts';
import type { ImageType } from '../../builder/image-types.ts';
import {
  type Failure,
  type FailureDetails,
  failure,
  isFailureClass,
  parseFailure,
} from '../../contract/failure.ts';
import type { JobProgress } from '../../contract/progress.ts';
import type { JobStatus } from '../../contract/status.ts';
import type { ArtifactsTable, JobsTable } from '../db/schema.ts';
import type { Artifact, Job, JobSummary } from './types.ts';

export type JobRow = Selectable<JobsTable>;

/** The columns a job summary is made of: every one but the inputs' texts. */
export const SUMMARY_COLUMNS = [
  'id',
  'name',
  'owner',
  'email',
  'queue',
  'image_type',
  'arch',
  'tags',
  'pinned',
  'status',
  'error_class',
  'error_message',
  'error_step',
  'error_details',
  'created',
  'started',
  'finished',
  'worker',
  'attempt',
  'heartbeat',
  'cancel_requested',
  'updated',
  'progress',
  'retry_of',
  'reused_from',
] as const satisfies readonly (keyof JobRow)[];
export type SummaryRow = Pick<JobRow, (typeof SUMMARY_COLUMNS)[number]>;

/** Rows hold only values this module wrote, so the casts restore what was checked on the way in. */
export function jobSummaryFromRow(row: SummaryRow): JobSummary {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    email: row.email,
    queue: row.queue,
    type: row.image_type as ImageType,
    arch: row.arch as Arch,
    tags: JSON.parse(row.tags) as string[],
    pinned: row.pinned === 1,
    status: row.status as JobStatus,
    error: failureFromRow(row),
    created: row.created,
    started: row.started,
    finished: row.finished,
    worker: row.worker,
    attempt: row.attempt,
    heartbeat: row.heartbeat,
    cancel_requested: row.cancel_requested === 1,
    updated: row.updated,
    progress: progressFromColumn(row.progress),
    retry_of: row.retry_of,
    reused_from: row.reused_from,
  };
}

export function progressFromColumn(text: string | null): JobProgress | null {
  return text === null ? null : (JSON.parse(text) as JobProgress);
}

/** A failure as stored; one this version cannot read in full keeps its class and message. */
function failureFromRow(row: SummaryRow): Failure | null {
  if (row.error_class === null) return null;
  const cls = isFailureClass(row.error_class) ? row.error_class : 'internal';
  const stored = failure(cls, row.error_message ?? '', row.error_step, parseDetails(row.error_details));
  return parseFailure(stored) ?? failure(cls, stored.message, stored.step);
}

function parseDetails(text: string): FailureDetails {
  try {
    return JSON.parse(text) as FailureDetails;
  } catch {
    return {};
  }
}

/** The columns a failure is stored in. */
export function failureColumns(stored: Failure | null) {
  return {
    error_class: stored?.class ?? null,
    error_message: stored?.message ?? null,
    error_step: stored?.step ?? null,
    error_details: JSON.stringify(stored?.details ?? {}),
  };
}

export function jobFromRow(row: JobRow, artifacts: Selectable<ArtifactsTable>[] = []): Job {
  return {
    ...jobSummaryFromRow(row),
    kickstart: row.kickstart,
    built_kickstart: row.built_kickstart,
    tokenmap: row.tokenmap,
    extra_repos: JSON.parse(row.extra_repos) as string[],
    packages: JSON.parse(row.packages) as string[],
    build_key: row.build_key,
    fresh: row.fresh === 1,
    artifacts: artifacts.map(artifactFromRow),
  };
}

function artifactFromRow(row: Selectable<ArtifactsTable>): Artifact {
  return { name: row.name, size: Number(row.size), sha256: row.sha256, main: row.main === 1 };
}

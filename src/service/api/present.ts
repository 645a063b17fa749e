import {
  type JobDetail,
  JobRecordInputs,
  JobRecordSummary,
  type JobSummaryJson,
} from '../../contract/api.ts';
import type { JobEta } from '../../contract/eta.ts';
import type { JobBlocker } from '../../contract/workers.ts';
import type { Job, JobSummary } from '../jobs/index.ts';

export const API_PREFIX = '/api/v1';

/**
 * What the API adds to a stored job: where it stands in its queue, what keeps it from starting, and when it should
 * start and end.
 */
export interface JobStanding {
  queuePosition: number | null;
  blocked: JobBlocker | null;
  eta: JobEta | null;
}

export const NO_STANDING: JobStanding = { queuePosition: null, blocked: null, eta: null };

/** A job as the API lists it: its own fields, its standing, and the links to its log, files and image. */
export function presentJobSummary(job: JobSummary, standing: JobStanding): JobSummaryJson {
  const self = `${API_PREFIX}/jobs/${job.id}`;
  return {
    ...pick(job, SUMMARY_FIELDS),
    queue_position: standing.queuePosition,
    blocked: standing.blocked,
    eta: standing.eta,
    links: { self, log: `${self}/log`, files: `${self}/files`, image: `${self}/image` },
  };
}

/** A whole job as the API shows it: the summary, the inputs as submitted and built, and the files. */
export function presentJob(job: Job, standing: JobStanding): JobDetail {
  return { ...presentJobSummary(job, standing), ...pick(job, INPUT_FIELDS) };
}

// The contract's field lists, not copies: what the service keeps for itself (heartbeat, updated, a submission's
// queuePosition) stays out of webhooks and mail too, which the API's serialiser does not guard.
const SUMMARY_FIELDS = Object.keys(
  JobRecordSummary.properties,
) as (keyof typeof JobRecordSummary.properties)[];
const INPUT_FIELDS = Object.keys(JobRecordInputs.properties) as (keyof typeof JobRecordInputs.properties)[];

function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, from[key]])) as Pick<T, K>;
}

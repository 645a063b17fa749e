import type { JobDetail, JobSummaryJson } from '../../contract/api.ts';
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

/** A job as the API lists it: snake_case, with its standing and the links to its log, files and image. */
export function presentJobSummary(job: JobSummary, standing: JobStanding): JobSummaryJson {
  const self = `${API_PREFIX}/jobs/${job.id}`;
  return {
    id: job.id,
    name: job.name,
    owner: job.owner,
    email: job.email,
    queue: job.queue,
    type: job.type,
    arch: job.arch,
    status: job.status,
    error: job.error,
    created: job.created,
    started: job.started,
    finished: job.finished,
    queue_position: standing.queuePosition,
    tags: job.tags,
    pinned: job.pinned,
    worker: job.worker,
    attempt: job.attempt,
    cancel_requested: job.cancelRequested,
    progress: job.progress,
    blocked: standing.blocked,
    eta: standing.eta,
    links: { self, log: `${self}/log`, files: `${self}/files`, image: `${self}/image` },
  };
}

/** A whole job as the API shows it: the summary, the inputs as submitted and built, and the files. */
export function presentJob(job: Job, standing: JobStanding): JobDetail {
  return {
    ...presentJobSummary(job, standing),
    kickstart: job.kickstart,
    built_kickstart: job.builtKickstart,
    tokenmap: job.tokenmap,
    extra_repos: job.extraRepos,
    packages: job.packages,
    artifacts: job.artifacts,
  };
}

/**
 * The jobs module: the only code that writes job rows. Web handlers, workers, the retention sweeper and the
 * CLI change jobs through these verbs, so every transition is checked in one place.
 */

export { canMove, isFinished, isJobStatus, JOB_STATUSES, type JobStatus } from '../../contract/status.ts';
export {
  type ArtifactStore,
  createLocalArtifactStore,
  type JobFilesKey,
  type KnownDigests,
  type StoredFile,
} from './artifact-store.ts';
export { BUSIEST_QUEUES_SHOWN, type BuildStats, type BuildStatsQuery, type Spread } from './build-stats.ts';
export { createJobChangeFeed, type JobChange, type JobChangeFeed } from './changes.ts';
export { type JobEventMap, type JobEventName, JobEvents } from './events.ts';
export { mustGetJob, mustOwnJob } from './job-access.ts';
export { diffJobs } from './job-diff.ts';
export { logFileName } from './paths.ts';
export { createQueueCatalog, type Queue, type QueueCatalog, type QueueWithGroups } from './queues.ts';
export type { JobReads, JobStats } from './reads.ts';
export { type BulkRemoval, removeJobAndFiles, removeMatchingJobs } from './removal.ts';
export { deleteExpiredJobs } from './retention.ts';
export { createJobService, type JobPublisher, type JobService, type JobServiceDeps } from './service.ts';
export type {
  Actor,
  Artifact,
  FinishInput,
  Job,
  JobFilter,
  JobPage,
  JobSummary,
  KickstartProblem,
  SubmitInput,
  SubmittedJob,
} from './types.ts';
export { type KickstartLint, type KickstartLintInput, lintKickstart } from './validate.ts';
export type { WorkerBeat, WorkerRegistry } from './workers.ts';

/**
 * The jobs module: the only code that writes job rows. Web handlers, workers, the retention sweeper and the
 * CLI change jobs through these verbs, so every transition is checked in one place.
 */
export { JobEvents, type JobEventMap, type JobEventName } from './events.ts';
export { createJobService, type JobService, type JobServiceDeps, type JobPublisher } from './service.ts';
export { canMove, isFinished, isJobStatus, JOB_STATUSES, type JobStatus } from './status.ts';
export type {
  Actor,
  Artifact,
  FinishInput,
  Job,
  JobError,
  JobFilter,
  JobPage,
  KickstartProblem,
  SubmitInput,
} from './types.ts';

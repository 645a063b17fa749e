/** The job states, the original's four plus CANCELLED; every other file refers to these, never to the strings. */
export const JOB_STATUSES = ['IN QUEUE', 'BUILDING', 'DONE', 'ERROR', 'CANCELLED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** The moves a job may make; anything else is a bug or a race lost to another process, and is refused. */
const transitions: Record<JobStatus, readonly JobStatus[]> = {
  'IN QUEUE': ['BUILDING', 'CANCELLED', 'ERROR'],
  // Back to IN QUEUE only when a silent worker's job is retried.
  BUILDING: ['DONE', 'ERROR', 'CANCELLED', 'IN QUEUE'],
  DONE: [],
  ERROR: [],
  CANCELLED: [],
};

export function canMove(from: JobStatus, to: JobStatus): boolean {
  return transitions[from].includes(to);
}

export function isFinished(status: JobStatus): boolean {
  return transitions[status].length === 0;
}

export function isJobStatus(value: string): value is JobStatus {
  return (JOB_STATUSES as readonly string[]).includes(value);
}

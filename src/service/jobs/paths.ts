import { join } from 'node:path';
import type { Job } from './types.ts';

/** `<base_dir>/<queue>/<owner>/<id>/`, the original's layout; the worker writes here and the API serves from here. */
export function jobFolder(baseDir: string, job: Pick<Job, 'queue' | 'owner' | 'id'>): string {
  return join(baseDir, job.queue, job.owner, job.id);
}

/** The build log's file name inside the job's folder. */
export function logFileName(job: Pick<Job, 'name'>): string {
  return `${job.name}.log`;
}

import { realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../errors.ts';
import { type Job, jobFolder } from '../jobs/index.ts';
import { sendFile } from './range.ts';

/**
 * Streams one file of a job (Range, ETag), by its recorded name: only files the build recorded are served, and
 * only from inside the job's folder, symbolic links resolved. The API's downloads and share links both end here.
 */
export async function sendArtifact(
  request: FastifyRequest,
  reply: FastifyReply,
  baseDir: string,
  job: Job,
  name: string,
) {
  const artifact = job.artifacts.find((candidate) => candidate.name === name);
  if (!artifact) throw new ServiceError('not-found', `job ${job.id} has no file ${name}`);
  const folder = await realpath(jobFolder(baseDir, job)).catch(() => null);
  const path = folder === null ? null : await realpath(join(folder, name)).catch(() => null);
  if (folder === null || path === null || !path.startsWith(folder + sep))
    throw new ServiceError('not-found', `file ${name} of job ${job.id} is not on disk`);
  return sendFile(request, reply, path, {
    contentType: 'application/octet-stream',
    etag: artifact.sha256,
    downloadName: artifact.name.split('/').pop() ?? artifact.name,
  });
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../errors.ts';
import type { ArtifactStore, Job } from '../jobs/index.ts';
import { sendFile } from './range.ts';

/**
 * Streams one file of a job (Range, ETag), by its recorded name: only files the build recorded are served, as the
 * artifact store opens them (never through a link). The API's downloads and share links both end here.
 */
export async function sendArtifact(
  request: FastifyRequest,
  reply: FastifyReply,
  files: ArtifactStore,
  job: Job,
  name: string,
) {
  const artifact = job.artifacts.find((candidate) => candidate.name === name);
  if (!artifact) throw new ServiceError('not-found', `job ${job.id} has no file ${name}`);
  const file = await files.open(job, name);
  if (!file) throw new ServiceError('not-found', `file ${name} of job ${job.id} is not on disk`);
  return sendFile(request, reply, file, {
    contentType: 'application/octet-stream',
    etag: artifact.sha256,
    downloadName: artifact.name.split('/').pop() ?? artifact.name,
  });
}

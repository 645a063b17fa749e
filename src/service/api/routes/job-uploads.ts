import type { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ServiceError } from '../../errors.ts';
import { jobFolder } from '../../jobs/index.ts';
import { requireAdmin } from '../auth.ts';
import type { AppDeps } from '../deps.ts';
import { checkUploadName, receiveFile } from '../receive-file.ts';
import { FileParams, UploadedFileSchema } from '../schemas.ts';

/** Room for the largest images (live DVDs, raw disks), but a runaway upload still stops. */
const MAX_UPLOAD_BYTES = 64 * 1024 ** 3;

const UploadHeaders = Type.Object({
  'x-img-sha256': Type.String({
    pattern: '^[0-9a-f]{64}$',
    description: 'the sha256 of the body, lowercase hex',
  }),
  'x-img-worker': Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'the worker building the job (its `worker` field)',
  }),
});

/**
 * Where a worker that does not share base_dir puts a build's files (`[worker] upload_url`): into the job's
 * folder on this node, so they are served like files built here.
 */
export async function jobUploadRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // The body is streamed to disk by the handler, never buffered; the parser only hands the stream over.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

  /** Only the worker that holds the job may upload: a worker whose job was requeued must not overwrite it. */
  const buildingBy = async (id: string, worker: string) => {
    const job = await deps.jobs.get(id);
    if (!job) throw new ServiceError('not-found', `no job ${id}`);
    if (job.status !== 'BUILDING' || job.worker !== worker) {
      throw new ServiceError(
        'conflict',
        `job ${id} is ${job.status}${job.worker ? ` on worker ${job.worker}` : ''}: files are uploaded only by the worker building it`,
      );
    }
    return job;
  };

  app.put<{ Params: FileParams; Headers: { 'x-img-sha256': string; 'x-img-worker': string } }>(
    '/jobs/:id/files/*',
    {
      schema: {
        tags: ['files'],
        summary:
          'a worker stores one file of the job it builds (admins only; body: application/octet-stream)',
        params: FileParams,
        headers: UploadHeaders,
        response: { 201: UploadedFileSchema },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const { id, '*': name } = request.params;
      const worker = request.headers['x-img-worker'];
      checkUploadName(name);
      const job = await buildingBy(id, worker);
      if (Number(request.headers['content-length']) > MAX_UPLOAD_BYTES)
        throw new ServiceError('too-large', `a file may have at most ${MAX_UPLOAD_BYTES} bytes`);
      if (!request.body) throw new ServiceError('bad-request', 'send the file as application/octet-stream');
      const stored = await receiveFile(
        request.body as Readable,
        jobFolder(deps.config.worker.base_dir, job),
        name,
        {
          sha256: request.headers['x-img-sha256'],
          maxBytes: MAX_UPLOAD_BYTES,
          beforeRename: async () => void (await buildingBy(id, worker)),
        },
      );
      return reply.code(201).send({ name, ...stored });
    },
  );
}

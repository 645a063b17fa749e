import type { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  FileParams,
  JobParams,
  LOG_CHUNK_MAX_BYTES,
  LogAppendedSchema,
  UploadedFileSchema,
} from '../../../contract/api.ts';
import { ServiceError } from '../../errors.ts';
import { mustGetJob } from '../../jobs/index.ts';
import { requireAdmin } from '../auth.ts';
import type { AppDeps } from '../deps.ts';
import { readSmallBody } from '../small-body.ts';

/** Room for the largest images (live DVDs, raw disks), but a runaway upload still stops. */
const MAX_UPLOAD_BYTES = 64 * 1024 ** 3;

const workerHeader = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'the worker building the job (its `worker` field)',
});

const UploadHeaders = Type.Object({
  'x-img-sha256': Type.String({
    pattern: '^[0-9a-f]{64}$',
    description: 'the sha256 of the body, lowercase hex',
  }),
  'x-img-worker': workerHeader,
});

const LogChunkHeaders = Type.Object({
  'x-img-offset': Type.Integer({ minimum: 0, description: 'the byte of the log the body starts at' }),
  'x-img-worker': workerHeader,
});

/**
 * Where a worker that does not share base_dir puts a build's files (`[worker] upload_url`): into the job's
 * folder on this node, so they are served like files built here; and its log while the build runs, so it is
 * followed here as it grows.
 */
export async function jobUploadRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // The handlers read the bodies (a file streamed to disk, a log chunk up to its bound); the parser only hands
  // the stream over.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

  /** Only the worker that holds the job may upload: a worker whose job was requeued must not overwrite it. */
  const buildingBy = async (id: string, worker: string) => {
    const job = await mustGetJob(deps.jobs, id);
    if (job.status !== 'BUILDING' || job.worker !== worker) {
      throw new ServiceError(
        'conflict',
        `job ${id} is ${job.status}${job.worker ? ` on worker ${job.worker}` : ''}: only the worker building it sends its files and log`,
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
      const job = await buildingBy(id, worker);
      if (Number(request.headers['content-length']) > MAX_UPLOAD_BYTES)
        throw new ServiceError('too-large', `a file may have at most ${MAX_UPLOAD_BYTES} bytes`);
      if (!request.body) throw new ServiceError('bad-request', 'send the file as application/octet-stream');
      const stored = await deps.files.receive(job, name, request.body as Readable, {
        sha256: request.headers['x-img-sha256'],
        maxBytes: MAX_UPLOAD_BYTES,
        beforeRename: async () => void (await buildingBy(id, worker)),
      });
      return reply.code(201).send({ name, size: stored.size, sha256: stored.sha256 });
    },
  );
  app.post<{ Params: JobParams; Headers: { 'x-img-offset': number; 'x-img-worker': string } }>(
    '/jobs/:id/log',
    {
      schema: {
        tags: ['files'],
        summary: `a worker adds to the live log of the job it builds (admins only; body: application/octet-stream, at most ${LOG_CHUNK_MAX_BYTES / 1024 ** 2} MiB)`,
        description:
          'Bytes the log already has are skipped, so a chunk sent again is stored once; an offset past the end is ' +
          '409 `log-gap` with `details.size`, the offset to send from. A chunk at offset 0 starts the log over ' +
          "(a requeued job's new attempt). The final upload of the log through PUT files/{name} replaces it.",
        params: JobParams,
        headers: LogChunkHeaders,
        response: { 200: LogAppendedSchema },
      },
    },
    async (request) => {
      requireAdmin(request);
      const job = await buildingBy(request.params.id, request.headers['x-img-worker']);
      const chunk = await readSmallBody(request.body as Readable | undefined, LOG_CHUNK_MAX_BYTES);
      return { size: await deps.files.writeLog(job, request.headers['x-img-offset'], chunk) };
    },
  );
}

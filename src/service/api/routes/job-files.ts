import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ArtifactSchema, FileParams, JobParams } from '../../../contract/api.ts';
import { JobDiffParams, JobDiffSchema } from '../../../contract/manifest.ts';
import { ServiceError } from '../../errors.ts';
import { diffJobs, logFileName, mustGetJob } from '../../jobs/index.ts';
import { sendArtifact } from '../artifact-download.ts';
import type { AppDeps } from '../deps.ts';
import { streamLog } from '../log-stream.ts';
import { sendFile } from '../range.ts';

const tags = ['files'];
const LogQuery = Type.Object({
  offset: Type.Optional(Type.Integer({ minimum: 0, description: 'start at this byte' })),
  follow: Type.Optional(
    Type.Union(
      ['1', 'true', '0', 'false'].map((value) => Type.Literal(value)),
      { description: '1: stream new lines (Server-Sent Events) until the job ends' },
    ),
  ),
});

export async function jobFileRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { jobs } = deps;
  const shutdown = new AbortController();
  app.addHook('preClose', async () => shutdown.abort());
  const mustGet = (id: string) => mustGetJob(jobs, id);

  app.get<{ Params: JobParams; Querystring: Static<typeof LogQuery> }>(
    '/jobs/:id/log',
    {
      schema: {
        tags,
        summary: 'the build log as text; Range and ?offset= give a part, ?follow=1 streams it',
        params: JobParams,
        querystring: LogQuery,
      },
    },
    async (request, reply) => {
      const job = await mustGet(request.params.id);
      const lastEventId = Number(request.headers['last-event-id']);
      const offset =
        Number.isInteger(lastEventId) && lastEventId >= 0 ? lastEventId : (request.query.offset ?? 0);
      if (request.query.follow === '1' || request.query.follow === 'true')
        return streamLog(
          reply,
          jobs,
          job.id,
          () => deps.files.open(job, logFileName(job)),
          offset,
          shutdown.signal,
        );
      try {
        const log = await deps.files.open(job, logFileName(job));
        return await sendFile(request, reply, log, { contentType: 'text/plain; charset=utf-8', offset });
      } catch (error) {
        // A job still waiting has no log yet: that is an empty log, not a missing one.
        if (error instanceof ServiceError && error.code === 'not-found') {
          return reply.type('text/plain; charset=utf-8').send('');
        }
        throw error;
      }
    },
  );

  app.get<{ Params: JobParams }>(
    '/jobs/:id/files',
    {
      schema: {
        tags,
        summary: 'the files a build produced',
        params: JobParams,
        response: { 200: Type.Array(Type.Ref(ArtifactSchema)) },
      },
    },
    async (request) => (await mustGet(request.params.id)).artifacts,
  );

  app.get<{ Params: FileParams }>(
    '/jobs/:id/files/*',
    { schema: { tags, summary: 'download one file (Range, ETag)', params: FileParams } },
    async (request, reply) => {
      const job = await mustGet(request.params.id);
      return sendArtifact(request, reply, deps.files, job, request.params['*']);
    },
  );

  app.get<{ Params: JobDiffParams }>(
    '/jobs/:id/diff/:other',
    {
      schema: {
        tags,
        summary:
          "what changed from this job's image to the other's: packages and files, from their manifests",
        params: JobDiffParams,
        response: { 200: JobDiffSchema },
      },
    },
    async (request) => diffJobs(jobs, deps.files, request.params.id, request.params.other),
  );

  app.get<{ Params: JobParams }>(
    '/jobs/:id/image',
    { schema: { tags, summary: 'download the main image', params: JobParams } },
    async (request, reply) => {
      const job = await mustGet(request.params.id);
      const main = job.artifacts.find((artifact) => artifact.main);
      if (!main) throw new ServiceError('not-found', `job ${job.id} has no image (it is ${job.status})`);
      return sendArtifact(request, reply, deps.files, job, main.name);
    },
  );
}

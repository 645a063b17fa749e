import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  JobParams,
  JobResultSchema,
  type ShareCreated,
  ShareCreated as ShareCreatedSchema,
  SharedJobSchema,
  ShareFileParams,
  ShareIdParams,
  ShareLinkSchema,
  ShareParams,
  ShareRequest,
} from '../../../contract/api.ts';
import { ServiceError } from '../../errors.ts';
import { type Actor, type Job, mustGetJob, mustOwnJob } from '../../jobs/index.ts';
import { type ShareLink, sharedFiles } from '../../shares/index.ts';
import { sendArtifact } from '../artifact-download.ts';
import { actorOf } from '../auth.ts';
import type { AppDeps } from '../deps.ts';
import { presentJobResult } from '../job-result.ts';
import { API_PREFIX } from '../present.ts';

const tags = ['shares'];
/** What every answer to a link's holder says: keep it out of shared caches, and out of other sites' Referer. */
const PRIVATE = { 'cache-control': 'private, no-store', 'referrer-policy': 'no-referrer' };
const NO_LINK = 'this share link does not exist, has expired or was revoked';

const presentLink = (link: ShareLink) => ({
  id: link.id,
  created_by: link.createdBy,
  created: link.created,
  expires: link.expires,
});

/**
 * A finished job's result, and share links: its owner (or an admin) makes a link that downloads that job's files,
 * and nothing else, without a login until it expires or is revoked; not its log or kickstart (see sharedFiles).
 */
export async function shareRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { jobs, shares } = deps;
  const mustGet = (id: string) => mustGetJob(jobs, id);
  const mustOwn = async (id: string, actor: Actor): Promise<Job> => {
    const job = await mustGet(id);
    mustOwnJob(job, actor, 'share');
    return job;
  };
  const jobOfToken = async (token: string) => {
    const link = await shares.resolve(token);
    const job = link && (await jobs.get(link.jobId));
    if (!link || !job) throw new ServiceError('not-found', NO_LINK);
    // The link holder sees the job as if it had only the shared files.
    return { link, job: { ...job, artifacts: sharedFiles(job) } };
  };

  app.get<{ Params: JobParams }>(
    '/jobs/:id/result',
    {
      schema: {
        tags: ['files'],
        summary: "a finished job's image, how to use it for its type, and which logins its kickstart sets",
        params: JobParams,
        response: { 200: Type.Ref(JobResultSchema) },
      },
    },
    async (request) => presentJobResult(await mustGet(request.params.id)),
  );

  app.post<{ Params: JobParams; Body: ShareRequest }>(
    '/jobs/:id/shares',
    {
      schema: {
        tags,
        summary: "a link that downloads this DONE job's files without a login, until it expires",
        description: 'The owner or an admin. The token is shown once; only its hash is kept.',
        params: JobParams,
        body: ShareRequest,
        response: { 201: ShareCreatedSchema },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const job = await mustOwn(request.params.id, actor);
      if (job.status !== 'DONE')
        throw new ServiceError(
          'conflict',
          `job ${job.id} is ${job.status}: only a DONE job's files can be shared`,
        );
      const link = await shares.create(job.id, actor.username, request.body.expires_in_hours);
      const created: ShareCreated = {
        ...presentLink(link),
        token: link.token,
        url: `${API_PREFIX}/share/${link.token}`,
      };
      return reply.code(201).send(created);
    },
  );

  app.get<{ Params: JobParams }>(
    '/jobs/:id/shares',
    {
      schema: {
        tags,
        summary: "the job's share links that still work (not their tokens)",
        params: JobParams,
        response: { 200: Type.Array(ShareLinkSchema) },
      },
    },
    async (request) => {
      const job = await mustOwn(request.params.id, actorOf(request));
      return (await shares.list(job.id)).map(presentLink);
    },
  );

  app.delete<{ Params: ShareIdParams }>(
    '/jobs/:id/shares/:share',
    { schema: { tags, summary: 'revoke a share link: it stops working at once', params: ShareIdParams } },
    async (request, reply) => {
      const job = await mustOwn(request.params.id, actorOf(request));
      await shares.revoke(job.id, request.params.share);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: ShareParams }>(
    '/share/:token',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'what a share link opens: the job’s name, files and how to use its image (no login)',
        params: ShareParams,
        response: { 200: SharedJobSchema },
      },
    },
    async (request, reply) => {
      const { link, job } = await jobOfToken(request.params.token);
      reply.headers(PRIVATE);
      return {
        name: job.name,
        type: job.type,
        arch: job.arch,
        finished: job.finished,
        expires: link.expires,
        files: job.artifacts,
        result: presentJobResult(job),
      };
    },
  );

  app.get<{ Params: ShareFileParams }>(
    '/share/:token/*',
    {
      config: { public: true },
      schema: {
        tags,
        summary: "download one of the shared job's files (Range, ETag; no login)",
        params: ShareFileParams,
      },
    },
    async (request, reply) => {
      const { job } = await jobOfToken(request.params.token);
      reply.headers(PRIVATE);
      return sendArtifact(request, reply, deps.files, job, request.params['*']);
    },
  );
}

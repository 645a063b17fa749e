import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  BulkDeleteRequest,
  BulkDeleteResult,
  JobDetail,
  JobListQuery,
  JobPageSchema,
  JobParams,
  JobPatch,
  SubmitForm,
  type SubmitJson,
  SubmitJson as SubmitJsonSchema,
} from '../../../contract/api.ts';
import type { JobEta } from '../../../contract/eta.ts';
import { JOB_FILTER_KEYS } from '../../../contract/job-filters.ts';
import { BULK_DELETE_LIMIT } from '../../../contract/list-limits.ts';
import { type JobBlocker, queueBlocker } from '../../../contract/workers.ts';
import { ServiceError } from '../../errors.ts';
import {
  type Actor,
  type JobFilter,
  type JobSummary,
  removeJobAndFiles,
  removeMatchingJobs,
} from '../../jobs/index.ts';
import { actorOf, requireAdmin } from '../auth.ts';
import type { AppDeps } from '../deps.ts';
import { type JobStanding, NO_STANDING, presentJob, presentJobSummary } from '../present.ts';
import { MAX_KICKSTART_BYTES, readSubmitForm, submitInput } from '../submission.ts';

const tags = ['jobs'];
const jobResponse = { 200: Type.Ref(JobDetail) };

export async function jobRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { jobs } = deps;
  const aliveWithinMs = deps.config.worker.heartbeat_timeout * 1000;
  type Standable = Pick<JobSummary, 'id' | 'queue' | 'status'>;
  /**
   * Where each waiting job of a page stands, with a few queries for the whole page; `known` positions (a new job's,
   * found as it was stored) are not counted again.
   */
  const standings = async (
    list: readonly Standable[],
    known?: ReadonlyMap<string, number>,
  ): Promise<(job: Standable) => JobStanding> => {
    const positions = known ?? (await jobs.queuePositions(list));
    const blockers = new Map<string, JobBlocker | null>();
    let etas = new Map<string, JobEta>();
    if (list.some((job) => job.status === 'IN QUEUE' || job.status === 'BUILDING')) {
      const live = await jobs.workers.serving(aliveWithinMs);
      for (const queue of live.queues) blockers.set(queue.name, queueBlocker(queue));
      // A waiting job gets an estimate only in a queue someone builds: without one (a new job in a queue nobody
      // serves yet), the recent builds are not read for nothing.
      const served = new Set(
        live.queues.filter((q) => q.starts_builds && q.workers.length > 0).map((q) => q.name),
      );
      if (
        list.some((job) => job.status === 'BUILDING' || (job.status === 'IN QUEUE' && served.has(job.queue)))
      )
        etas = await jobs.estimates(live);
    }
    return (job) => ({
      queuePosition: positions.get(job.id) ?? null,
      blocked: job.status === 'IN QUEUE' ? (blockers.get(job.queue) ?? null) : null,
      eta: etas.get(job.id) ?? null,
    });
  };
  const standingOf = async (job: Standable, position?: number) =>
    (await standings([job], position === undefined ? undefined : new Map([[job.id, position]])))(job);
  const present = async (id: string) => {
    const job = await jobs.get(id);
    return job ? presentJob(job, await standingOf(job)) : null;
  };

  app.post<{ Body: SubmitJson }>(
    '/jobs',
    {
      bodyLimit: 2 * MAX_KICKSTART_BYTES,
      schema: {
        tags,
        summary: 'submit a kickstart (JSON, or a form with the file in `kickstart`)',
        body: {
          content: {
            'application/json': { schema: SubmitJsonSchema },
            'multipart/form-data': { schema: SubmitForm },
          },
        },
        response: { 201: Type.Ref(JobDetail) },
      },
      preValidation: async (request) => {
        if (request.isMultipart()) request.body = (await readSubmitForm(request)) as unknown as SubmitJson;
      },
    },
    async (request, reply) => {
      const job = await jobs.submit(await submitInput(request.body, deps.templatesDir), actorOf(request));
      return reply.code(201).send(presentJob(job, await standingOf(job, job.queuePosition)));
    },
  );

  app.get<{ Querystring: JobListQuery }>(
    '/jobs',
    {
      schema: {
        tags,
        summary: 'jobs, newest first, a page at a time',
        querystring: JobListQuery,
        response: { 200: Type.Ref(JobPageSchema) },
      },
    },
    async (request) => {
      const { before, offset, limit = 50, ...filter } = request.query;
      const page = await jobs.list(jobFilter(filter, actorOf(request)), {
        limit,
        ...(before === undefined ? {} : { before }),
        ...(offset === undefined ? {} : { offset }),
      });
      const standing = await standings(page.jobs);
      return {
        jobs: page.jobs.map((job) => presentJobSummary(job, standing(job))),
        next: page.next,
        total: page.total,
      };
    },
  );

  app.post<{ Body: BulkDeleteRequest }>(
    '/jobs/delete',
    {
      schema: {
        tags,
        summary: `admin: delete every job matching the filter, up to ${BULK_DELETE_LIMIT} a call, with its files`,
        description:
          'Pinned and building jobs are kept and listed by name. Jobs newer than `through` (submitted after the ' +
          'caller counted) are not touched.',
        body: BulkDeleteRequest,
        response: { 200: BulkDeleteResult },
      },
    },
    async (request) => {
      requireAdmin(request);
      const { through, ...filter } = request.body;
      const actor = actorOf(request);
      const result = await removeMatchingJobs(
        jobs,
        deps.files,
        { ...jobFilter(filter, actor), through },
        actor,
      );
      return {
        deleted: result.deleted,
        refused: result.refused,
        refused_count: result.refusedCount,
        more: result.more,
      };
    },
  );

  app.get<{ Params: JobParams }>(
    '/jobs/:id',
    { schema: { tags, summary: 'one job', params: JobParams, response: jobResponse } },
    async (request) => {
      const job = await present(request.params.id);
      if (!job) throw new ServiceError('not-found', `no job ${request.params.id}`);
      return job;
    },
  );

  app.post<{ Params: JobParams }>(
    '/jobs/:id/cancel',
    {
      schema: {
        tags,
        summary: 'cancel: at once while waiting, within seconds while building',
        params: JobParams,
        response: jobResponse,
      },
    },
    async (request) => {
      const job = await jobs.cancel(request.params.id, actorOf(request));
      return presentJob(job, NO_STANDING);
    },
  );

  app.post<{ Params: JobParams }>(
    '/jobs/:id/retry',
    {
      schema: {
        tags,
        summary: 'a new job with the same inputs',
        params: JobParams,
        response: { 201: Type.Ref(JobDetail) },
      },
    },
    async (request, reply) => {
      const job = await jobs.retry(request.params.id, actorOf(request));
      return reply.code(201).send(presentJob(job, await standingOf(job, job.queuePosition)));
    },
  );

  app.patch<{ Params: JobParams; Body: JobPatch }>(
    '/jobs/:id',
    {
      schema: {
        tags,
        summary: 'change tags or pinned',
        params: JobParams,
        body: JobPatch,
        response: jobResponse,
      },
    },
    async (request) => {
      const job = await jobs.update(request.params.id, request.body, actorOf(request));
      return presentJob(job, await standingOf(job));
    },
  );

  app.delete<{ Params: JobParams }>(
    '/jobs/:id',
    {
      schema: {
        tags,
        summary: 'delete the job and its files (not pinned; owner or admin)',
        params: JobParams,
      },
    },
    async (request, reply) => {
      await removeJobAndFiles(jobs, deps.files, request.params.id, actorOf(request));
      return reply.code(204).send();
    },
  );
}

/**
 * The list filters of a query as the jobs module takes them, `mine` being the caller. Only the contract's filters
 * are taken: a query's other keys (the schema lets unknown ones through) never reach JobFilter, whose `through`
 * is the bulk delete's alone.
 */
function jobFilter(query: Omit<JobListQuery, 'before' | 'offset' | 'limit'>, actor: Actor): JobFilter {
  const filter: JobFilter = {};
  for (const key of JOB_FILTER_KEYS) {
    if (query[key] !== undefined) Object.assign(filter, { [key]: query[key] });
  }
  if (query.owner === 'mine') filter.owner = actor.username;
  return filter;
}

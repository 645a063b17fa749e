import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { arches, archInfo } from '../../../builder/arches.ts';
import { imageTypeInfo, imageTypes } from '../../../builder/image-types.ts';
import {
  ArchSchema,
  ImageTypeSchema,
  NameParams,
  QueueSchema,
  TemplateDetail,
  TemplateSchema,
} from '../../../contract/api.ts';
import { listTemplates } from '../../../kickstart/templates.ts';
import type { AppDeps } from '../deps.ts';
import { presentTemplate, readTemplate } from '../templates.ts';

const tags = ['catalog'];

/** What a submitter may choose from. */
export async function catalogRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get(
    '/queues',
    { schema: { tags, summary: 'the queues', response: { 200: Type.Array(Type.Ref(QueueSchema)) } } },
    async () =>
      (await deps.queues.list()).map((queue) => ({
        name: queue.name,
        description: queue.description,
        starts_builds: queue.startsBuilds,
        groups: queue.groups,
      })),
  );

  app.get(
    '/image-types',
    {
      schema: {
        tags,
        summary: 'the image types the builder makes',
        response: { 200: Type.Array(ImageTypeSchema) },
      },
    },
    async () => imageTypes.map((name) => ({ name, ...imageTypeInfo[name] })),
  );

  app.get(
    '/arches',
    {
      schema: {
        tags,
        summary: 'the architectures the builder makes',
        response: { 200: Type.Array(ArchSchema) },
      },
    },
    async () =>
      arches.map((name) => ({
        name,
        debian: archInfo[name].debian,
        emulated: archInfo[name].qemuUser !== undefined,
      })),
  );

  app.get(
    '/templates',
    {
      schema: {
        tags,
        summary: 'the ready templates, what their headers suggest and the tokens they take',
        response: { 200: Type.Array(TemplateSchema) },
      },
    },
    async (request) => {
      const { templates, errors } = await listTemplates(deps.templatesDir);
      for (const error of errors) request.log.warn(error, 'template skipped');
      return templates.map(presentTemplate);
    },
  );

  app.get<{ Params: NameParams }>(
    '/templates/:name',
    {
      schema: {
        tags,
        summary: 'one template, with its text',
        params: NameParams,
        response: { 200: TemplateDetail },
      },
    },
    async (request) => {
      const { template, text } = await readTemplate(deps.templatesDir, request.params.name, 'not-found');
      return { ...presentTemplate(template), text };
    },
  );
}

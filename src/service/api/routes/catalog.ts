import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { arches, archInfo } from '../../../builder/arches.ts';
import { imageTypeInfo, imageTypes } from '../../../builder/image-types.ts';
import { listTemplates } from '../../../kickstart/templates.ts';
import type { AppDeps } from '../deps.ts';
import { ArchSchema, ImageTypeSchema, QueueSchema, TemplateSchema } from '../schemas.ts';

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
        summary: 'the ready templates and what their headers suggest',
        response: { 200: Type.Array(TemplateSchema) },
      },
    },
    async (request) => {
      const { templates, errors } = await listTemplates(deps.templatesDir);
      for (const error of errors) request.log.warn(error, 'template skipped');
      return templates.map((template) => ({
        name: template.name,
        display_name: template.displayName,
        suggested_image_type: template.suggestedImageType ?? null,
        suggested_architecture: template.suggestedArchitecture ?? null,
        suggested_features: template.suggestedFeatures,
      }));
    },
  );
}

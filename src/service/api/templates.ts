import { readFile } from 'node:fs/promises';
import type { Static } from '@sinclair/typebox';
import type { TemplateSchema } from '../../contract/api.ts';
import { type KickstartTemplate, listTemplates } from '../../kickstart/templates.ts';
import { type ErrorCode, ServiceError } from '../errors.ts';

/** Tokens the build fills from the job itself, so a submitter is never asked for them. */
const BUILD_FILLED_TOKENS = new Set(['ARCH']);

export function presentTemplate(template: KickstartTemplate): Static<typeof TemplateSchema> {
  return {
    name: template.name,
    display_name: template.displayName,
    suggested_image_type: template.suggestedImageType ?? null,
    suggested_architecture: template.suggestedArchitecture ?? null,
    suggested_features: template.suggestedFeatures,
    description: template.description,
    tokens: template.tokens.filter((token) => !BUILD_FILLED_TOKENS.has(token)),
  };
}

/**
 * The template of that name with its text. An unknown name is `missing`: a bad request when a job names it, a
 * missing resource when it is asked for by its URL.
 */
export async function readTemplate(
  dir: string,
  name: string,
  missing: Extract<ErrorCode, 'bad-request' | 'not-found'>,
): Promise<{ template: KickstartTemplate; text: string }> {
  const { templates } = await listTemplates(dir);
  const template = templates.find((candidate) => candidate.name === name);
  if (!template) {
    throw new ServiceError(missing, `no template named ${name}`, {
      templates: templates.map((candidate) => candidate.name),
    });
  }
  return { template, text: await readFile(template.path, 'utf8') };
}

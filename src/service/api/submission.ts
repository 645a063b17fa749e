import type { FastifyRequest } from 'fastify';
import type { SubmitForm, SubmitJson } from '../../contract/api.ts';
import { ServiceError } from '../errors.ts';
import type { SubmitInput } from '../jobs/index.ts';
import { decodeUtf8 } from './strict-text.ts';
import { readTemplate } from './templates.ts';

/** The largest kickstart a form may upload; the kickstart library refuses more than 1 MiB anyway. */
export const MAX_KICKSTART_BYTES = 1024 * 1024;

/**
 * Reads a multipart form into plain strings, so the route's schema validates it like a JSON body. A form the
 * parser cannot read (no boundary, cut short, broken headers) is the sender's error, a 400 that says so.
 */
export async function readSubmitForm(request: FastifyRequest): Promise<Record<string, string>> {
  try {
    return await readParts(request);
  } catch (error) {
    // The parser's own errors carry no status; the plugin's limits (413) and ours (ServiceError) do.
    if (error instanceof ServiceError || (error as { statusCode?: number }).statusCode !== undefined)
      throw error;
    throw new ServiceError('bad-request', `the multipart form cannot be read: ${(error as Error).message}`);
  }
}

async function readParts(request: FastifyRequest): Promise<Record<string, string>> {
  const fields: Record<string, string> = {};
  for await (const part of request.parts({
    limits: { fileSize: MAX_KICKSTART_BYTES + 1, files: 1, fields: 20 },
  })) {
    if (part.type === 'file') {
      const content = await part.toBuffer();
      if (part.file.truncated)
        throw new ServiceError('too-large', `the kickstart is larger than ${MAX_KICKSTART_BYTES} bytes`);
      fields[part.fieldname] = decodeUtf8(content, part.fieldname);
      if (part.fieldname === 'kickstart' && fields.name === undefined && part.filename) {
        fields.name = part.filename.replace(/\.ks$/, '');
      }
    } else {
      fields[part.fieldname] = String(part.value);
    }
  }
  return fields;
}

/** JSON or form, the same job; the kickstart is read here when a template is named. */
export async function submitInput(body: SubmitJson | SubmitForm, templatesDir: string): Promise<SubmitInput> {
  const list = (value: string[] | string | undefined) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== '')
      : value;
  // A form's yes or no, a JSON boolean as it is.
  const flag = (value: string | boolean | undefined) =>
    typeof value === 'string' ? ['yes', 'true', 'on', '1'].includes(value.toLowerCase()) : value;
  const { kickstart, name } = await kickstartOf(body, templatesDir);
  const input: SubmitInput = { kickstart, type: body.type, arch: body.arch };
  const optional = {
    name,
    queue: body.queue,
    email: body.email,
    tokenmap: body.tokenmap,
    extraRepos: list(body.extra_repos),
    packages: list(body.packages),
    tags: list(body.tags),
    pinned: flag(body.pinned),
    fresh: flag(body.fresh),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (input as unknown as Record<string, unknown>)[key] = value;
  }
  return input;
}

async function kickstartOf(
  body: SubmitJson | SubmitForm,
  templatesDir: string,
): Promise<{ kickstart: string; name: string | undefined }> {
  if ((body.kickstart === undefined) === (body.template === undefined)) {
    throw new ServiceError('bad-request', 'give either `kickstart` or `template`, not both or neither');
  }
  if (body.kickstart !== undefined) return { kickstart: body.kickstart, name: body.name };
  const { template, text } = await readTemplate(templatesDir, body.template ?? '', 'bad-request');
  return { kickstart: text, name: body.name ?? template.name };
}

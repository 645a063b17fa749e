/**
 * The `build_image` workitem contract, read and answered without any I/O: the later IMG's fields under
 * `fields.image`, or the original's flat fields, in; both styles of result fields out.
 */
import { createHash } from 'node:crypto';
import type { Job, SubmitJson } from '../client/api-client.ts';
import { submissionProblems } from '../service/fields.ts';

/** A ruote workitem as it travels over AMQP; only what the participant reads or writes is named. */
export interface Workitem {
  fei?: Record<string, unknown>;
  fields?: Record<string, unknown>;
  participant_name?: string;
  [other: string]: unknown;
}

export type BuildRequest =
  | { ok: true; submit: SubmitJson; style: 'image' | 'flat'; forget: boolean }
  | { ok: false; error: string };

/** The original's flat workitems (2010) did not name the architecture: they were built on the host's. */
const FLAT_DEFAULT_ARCH = 'x86_64';

export function isWorkitem(value: unknown): value is Workitem {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What to build, or which fields are missing or wrong, every one of them named. */
export function readBuildRequest(workitem: Workitem): BuildRequest {
  const fields = isWorkitem(workitem.fields) ? workitem.fields : {};
  const image = fields.image;
  const nested = isWorkitem(image);
  const source: Record<string, unknown> = nested ? image : fields;
  const prefix = nested ? 'fields.image.' : 'fields.';
  const problems: string[] = [];
  const missing: string[] = [];

  const read = (names: readonly string[], required: boolean): string | undefined => {
    const name = names.find((candidate) => source[candidate] !== undefined);
    const value = name === undefined ? undefined : source[name];
    if (value === undefined || value === '') {
      if (required) missing.push(prefix + names[0]);
      return undefined;
    }
    if (typeof value !== 'string') {
      problems.push(`${prefix}${name} must be a string, not ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  };

  // The flat API came in two spellings: 2010's `id`/`type` and the later `image_id`/`image_type`.
  const kickstart = read(['kickstart'], true);
  read(['image_id', 'id'], true);
  const type = read(['image_type', 'type'], true);
  const name = read(['name'], true);
  const arch = read(['arch'], nested) ?? FLAT_DEFAULT_ARCH;
  read(['prefix'], false);
  const tokenmap = read(['tokenmap'], false);
  const release = read(['release'], false);
  const email = read(['email'], false) ?? (typeof fields.email === 'string' ? fields.email : undefined);
  const extraOpts = source.extra_opts;
  if (
    extraOpts !== undefined &&
    !(Array.isArray(extraOpts) && extraOpts.every((o) => typeof o === 'string'))
  ) {
    problems.push(`${prefix}extra_opts must be a list of strings`);
  }
  // The server's own rules, so a bad field is named as the workitem names it rather than as the API does.
  const checked = [
    ...submissionProblems({ kickstart, name, email, tokenmap }),
    ...submissionProblems({ tokenmap: release === undefined ? undefined : `RELEASE:${release}` }).map(
      (problem) => ({ ...problem, field: 'release' }),
    ),
  ];
  for (const { field, message } of checked) problems.push(`${prefix}${field}: ${message}`);
  if (missing.length > 0) problems.unshift(`missing ${missing.join(', ')}`);
  if (problems.length > 0 || kickstart === undefined || type === undefined || name === undefined) {
    return { ok: false, error: problems.join('; ') };
  }

  const tokens = [tokenmap, release === undefined ? undefined : `RELEASE:${release}`].filter(Boolean);
  const submit: SubmitJson = { kickstart, type, arch, name };
  if (tokens.length > 0) submit.tokenmap = tokens.join(',');
  if (email !== undefined) submit.email = email;
  const params = isWorkitem(fields.params) ? fields.params : {};
  return { ok: true, submit, style: nested ? 'image' : 'flat', forget: params.forget === true };
}

/**
 * The tag that finds the job of a workitem again after a restart. A redelivered message is byte for byte the
 * same, so it maps to the same job; ruote re-dispatching the expression (a retry) stamps a new `dispatched_at`
 * and so gets a new build.
 */
export function workitemTag(workitem: Workitem): string {
  const fei = isWorkitem(workitem.fei) ? workitem.fei : {};
  const fields = isWorkitem(workitem.fields) ? workitem.fields : {};
  const identity = JSON.stringify([
    fei.engine_id ?? null,
    fei.wfid ?? null,
    fei.subid ?? fei.sub_wfid ?? null,
    fei.expid ?? null,
    fields.dispatched_at ?? null,
  ]);
  return `boss-workitem:${createHash('sha256').update(identity).digest('hex').slice(0, 24)}`;
}

export interface BuildOutcome {
  /** Null when no job was made (the workitem was refused). */
  job: Job | null;
  /** Why it is not DONE; null when it is. */
  error: string | null;
  /** Turns a job's `links` path into an absolute URL. */
  url: (path: string) => string;
}

/** The workitem with the result in both styles: `fields.image.*` and `__result__`, and the original's flat fields. */
export function withResult(workitem: Workitem, outcome: BuildOutcome): Workitem {
  const fields = isWorkitem(workitem.fields) ? { ...workitem.fields } : {};
  const { job, error } = outcome;
  const done = error === null && job?.status === 'DONE';
  const filesUrl = job ? outcome.url(job.links.files) : '';
  const imageUrl = job && done ? outcome.url(job.links.image) : '';
  const logUrl = job ? outcome.url(job.links.log) : '';
  const message = error ?? '';
  fields.image = {
    ...(isWorkitem(fields.image) ? fields.image : {}),
    result: done,
    files_url: filesUrl,
    image_url: imageUrl,
    logfile_url: logUrl,
    error: message,
    ...(job ? { job_id: job.id } : {}),
    // The failure as the API gives it (class, whose to fix, step, details), for a process that acts on it.
    ...(job?.error && !done ? { failure: job.error } : {}),
  };
  fields.__result__ = done;
  Object.assign(fields, { Status: done ? 'DONE' : 'ERROR', URL: filesUrl, Image: imageUrl, Log: logUrl });
  if (done) {
    delete fields.__error__;
    delete fields.Error;
  } else {
    fields.__error__ = message;
    fields.Error = message;
    fields.msg = [...(Array.isArray(fields.msg) ? fields.msg : []), `build_image: ${message}`];
  }
  return { ...workitem, fields };
}

/** The error a finished job that is not DONE gives its workitem. */
export function jobError(job: Job): string | null {
  if (job.status === 'DONE') return null;
  if (job.status === 'CANCELLED') return `job ${job.id} was cancelled`;
  // One line, as the original IMG answered: the details travel structured, in fields.image.failure.
  return job.error ? `${job.error.class}: ${job.error.message}` : `job ${job.id} ended ${job.status}`;
}

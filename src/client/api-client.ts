/**
 * The one typed client of IMG's REST API, used by the CLI, the BOSS participant and the web page. It needs only
 * `fetch`, streams and TextDecoder, so it runs in Node and in browsers alike; Node-only helpers (the stored login,
 * resumable downloads) live beside it in their own files. Every type comes from the server's TypeBox schemas.
 */
import type { Static } from '@sinclair/typebox';
import type {
  ArchSchema,
  ArtifactSchema,
  BulkDeleteRequest,
  BulkDeleteResult,
  Credentials,
  GroupSchema,
  GroupUpdate,
  ImageTypeSchema,
  JobChangeSchema,
  JobDetail,
  JobListQuery,
  JobPageSchema,
  JobPatch,
  JobResult,
  JobStatusSchema,
  JobSummary as JobSummarySchema,
  JobTotal,
  LintRequest,
  LintResult,
  LogAppended,
  PasswordChange,
  QueueSchema,
  QueueUpdate,
  RenderRequest,
  RenderResult,
  SessionSchema,
  ShareCreated,
  SharedJob,
  ShareLinkJson,
  SitePatch,
  SiteSchema,
  SubmitForm,
  SubmitJson,
  TemplateDetail,
  TemplateSchema,
  TokenCreated,
  TokenInfoSchema,
  TokenRequest,
  UploadedFile,
  UserCreate,
  UserPatch,
  UserSchema,
} from '../contract/api.ts';
import type { ErrorCode } from '../contract/errors.ts';
import type { JobEta } from '../contract/eta.ts';
import type { ReadFailure } from '../contract/failure.ts';
import type { JobDiff } from '../contract/manifest.ts';
import type { JobProgress } from '../contract/progress.ts';
import type { Stats, StatsQuery } from '../contract/stats.ts';
import { isFinished, JOB_STATUSES } from '../contract/status.ts';
import type { JobBlocker, QueueState, WorkerInfo } from '../contract/workers.ts';
import type { Answer, AnswerName } from './answer-checks.ts';

/**
 * The answer checks, loaded with the first answer: TypeBox and the schemas stay out of `imger --help` and out of
 * the web page's first chunk.
 */
let checks: Promise<typeof import('./answer-checks.ts')> | undefined;
const answerChecks = () => (checks ??= import('./answer-checks.ts'));

/** A job change of GET /events, checked; null when it is not one (the caller then looks at everything again). */
export async function parseJobChange(text: string): Promise<JobChange | null> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return (await answerChecks()).answerProblem('jobChange', value) === null ? (value as JobChange) : null;
}

export type { FailureClass } from '../contract/failure.ts';
/** A failure as read from a server, which may know classes this client does not (see ReadFailureSchema). */
export type Failure = ReadFailure;
export type Job = Omit<JobDetail, 'error'> & { error: ReadFailure | null };
export type JobSummary = Omit<Static<typeof JobSummarySchema>, 'error'> & { error: ReadFailure | null };
export type JobStatus = Static<typeof JobStatusSchema>;
export type JobPage = Static<typeof JobPageSchema>;
export type JobChange = Static<typeof JobChangeSchema>;
export type Artifact = Static<typeof ArtifactSchema>;
export type Queue = Static<typeof QueueSchema>;
export type ImageTypeInfo = Static<typeof ImageTypeSchema>;
export type ArchInfo = Static<typeof ArchSchema>;
export type TemplateInfo = Static<typeof TemplateSchema>;
export type Session = Static<typeof SessionSchema>;
export type TokenInfo = Static<typeof TokenInfoSchema>;
export type User = Static<typeof UserSchema>;
export type Group = Static<typeof GroupSchema>;
export type Site = Static<typeof SiteSchema>;
export type {
  BulkDeleteRequest,
  BulkDeleteResult,
  Credentials,
  GroupUpdate,
  JobBlocker,
  JobEta,
  JobListQuery,
  JobPatch,
  JobProgress,
  JobResult,
  JobTotal,
  LintRequest,
  LintResult,
  LogAppended,
  PasswordChange,
  QueueState,
  QueueUpdate,
  RenderRequest,
  RenderResult,
  ShareCreated,
  SharedJob,
  ShareLinkJson as ShareLink,
  SitePatch,
  Stats,
  StatsQuery,
  SubmitJson,
  TemplateDetail,
  TokenCreated,
  TokenRequest,
  UploadedFile,
  UserCreate,
  UserPatch,
  WorkerInfo,
};

/** A multipart submission: the form's fields, with the kickstart as a file rather than text. */
export type SubmitFormRequest = Omit<SubmitForm, 'kickstart'> & {
  kickstart?: { content: Blob | string; filename: string };
};

export { isFinished, JOB_STATUSES };

/** The API's `error` codes, plus `unreachable` when no answer came and `bad-response` when it was not the API's. */
export type ApiErrorCode = ErrorCode | 'unreachable' | 'bad-response';

/** A refusal or failure of a call, with the server's stable code and message (and its details, e.g. lint lines). */
export class ApiError extends Error {
  constructor(
    /** The HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The lines of an `invalid-kickstart` refusal, as the server listed them. */
  get kickstartErrors(): { line: number; message: string }[] {
    const errors = (this.details as { errors?: unknown } | undefined)?.errors;
    return Array.isArray(errors) ? (errors as { line: number; message: string }[]) : [];
  }
}

/** One event of a followed log: new text (ending at byte `offset`), then the job's final status. */
export type LogEvent = { type: 'log'; text: string; offset: number } | { type: 'end'; status: string };

export interface ApiClientOptions {
  /** The server's root URL, e.g. http://img.example:8080/ (the API is under api/v1/). */
  server: string;
  /** A bearer token (`imger login`); without one, a browser's session cookie is used. */
  token?: string;
  /** Sent as x-csrf-token on writes when logged in by cookie; `startSession` sets it. */
  csrfToken?: string;
  fetch?: typeof fetch;
}

const API_PATH = 'api/v1/';

export class ApiClient {
  readonly server: string;
  readonly #fetch: typeof fetch;
  #token: string | undefined;
  #csrfToken: string | undefined;

  constructor(options: ApiClientOptions) {
    this.server = options.server.endsWith('/') ? options.server : `${options.server}/`;
    this.#token = options.token;
    this.#csrfToken = options.csrfToken;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** An absolute URL of an API path, or of a `links` entry the server gave (those start with /). */
  url(path: string): string {
    return path.startsWith('/')
      ? new URL(path, this.server).href
      : new URL(API_PATH + path, this.server).href;
  }

  /** A bearer token for scripts: shown once, kept by the caller; optionally named, and expiring. */
  login(request: TokenRequest): Promise<TokenCreated> {
    return this.#json('tokenCreated', 'POST', 'tokens', request);
  }

  /** A browser login: the cookie is set by the server, the CSRF token is kept for later writes. */
  async startSession(credentials: Credentials): Promise<Session> {
    const session = await this.#json('session', 'POST', 'session', credentials);
    this.#csrfToken = session.csrf_token;
    return session;
  }

  async session(): Promise<Session> {
    const session = await this.#json('session', 'GET', 'session');
    this.#csrfToken = session.csrf_token;
    return session;
  }

  async endSession(): Promise<void> {
    await this.#json('nothing', 'DELETE', 'session');
    this.#csrfToken = undefined;
  }

  /** Your own new password: ends your other sessions, and with `revoke_tokens` every token of yours. */
  async changePassword(change: PasswordChange): Promise<void> {
    await this.#json('nothing', 'PUT', 'session/password', change);
  }

  submit(request: SubmitJson): Promise<Job> {
    return this.#json('job', 'POST', 'jobs', request);
  }

  /** The same as `submit`, as a form upload: the kickstart travels as a file, lists comma-separated. */
  submitForm(request: SubmitFormRequest): Promise<Job> {
    const form = new FormData();
    for (const [key, value] of Object.entries(request)) {
      if (value === undefined || key === 'kickstart') continue;
      form.append(key, String(value));
    }
    if (request.kickstart) {
      const { content, filename } = request.kickstart;
      form.append('kickstart', typeof content === 'string' ? new Blob([content]) : content, filename);
    }
    return this.#json('job', 'POST', 'jobs', form);
  }

  /** The checks `submit` makes, without submitting; its `errors` are the lines a submit would be refused for. */
  lint(request: LintRequest, options: { signal?: AbortSignal } = {}): Promise<LintResult> {
    return this.#json('lint', 'POST', 'kickstarts/lint', request, options.signal);
  }

  /** Kickstarter YAML (configurations.yaml and repos.yaml as text) rendered into kickstarts. */
  render(request: RenderRequest): Promise<RenderResult> {
    return this.#json('render', 'POST', 'kickstarts/render', request);
  }

  get(id: string): Promise<Job> {
    return this.#json('job', 'GET', `jobs/${encodeURIComponent(id)}`);
  }

  list(query: JobListQuery = {}): Promise<JobPage> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.set(key, String(value));
    }
    const search = params.size > 0 ? `?${params}` : '';
    return this.#json('jobPage', 'GET', `jobs${search}`);
  }

  cancel(id: string): Promise<Job> {
    return this.#json('job', 'POST', `jobs/${encodeURIComponent(id)}/cancel`);
  }

  /** A new job with the same inputs. */
  retry(id: string): Promise<Job> {
    return this.#json('job', 'POST', `jobs/${encodeURIComponent(id)}/retry`);
  }

  async delete(id: string): Promise<void> {
    await this.#json('nothing', 'DELETE', `jobs/${encodeURIComponent(id)}`);
  }

  patch(id: string, changes: JobPatch): Promise<Job> {
    return this.#json('job', 'PATCH', `jobs/${encodeURIComponent(id)}`, changes);
  }

  files(id: string): Promise<Artifact[]> {
    return this.#json('artifacts', 'GET', `jobs/${encodeURIComponent(id)}/files`);
  }

  /** What changed in packages and files from job `from`'s image to job `to`'s. */
  diff(from: string, to: string): Promise<JobDiff> {
    return this.#json('jobDiff', 'GET', `jobs/${encodeURIComponent(from)}/diff/${encodeURIComponent(to)}`);
  }

  /** A finished job's image, how to use it for its type, and which logins its kickstart sets. */
  result(id: string): Promise<JobResult> {
    return this.#json('jobResult', 'GET', `jobs/${encodeURIComponent(id)}/result`);
  }

  /** A link that downloads this DONE job's files without a login for `hours`; its token is shown only here. */
  share(id: string, hours: number): Promise<ShareCreated> {
    return this.#json('shareCreated', 'POST', `jobs/${encodeURIComponent(id)}/shares`, {
      expires_in_hours: hours,
    });
  }

  /** The job's links that still work, without their tokens. */
  shares(id: string): Promise<ShareLinkJson[]> {
    return this.#json('shares', 'GET', `jobs/${encodeURIComponent(id)}/shares`);
  }

  async revokeShare(id: string, shareId: string): Promise<void> {
    await this.#json(
      'nothing',
      'DELETE',
      `jobs/${encodeURIComponent(id)}/shares/${encodeURIComponent(shareId)}`,
    );
  }

  /** What a share link opens; needs no login. */
  shared(token: string): Promise<SharedJob> {
    return this.#json('sharedJob', 'GET', `share/${encodeURIComponent(token)}`);
  }

  /** The download URL of one file of a shared job. */
  sharedFileUrl(token: string, name: string): string {
    return this.url(
      `share/${encodeURIComponent(token)}/${name.split('/').map(encodeURIComponent).join('/')}`,
    );
  }

  /** Builds per day, durations, waits, failures and queues: of every job for an admin, else of your own. */
  stats(query: StatsQuery = {}): Promise<Stats> {
    return this.#json('stats', 'GET', query.days === undefined ? 'stats' : `stats?days=${query.days}`);
  }

  queues(): Promise<Queue[]> {
    return this.#json('queues', 'GET', 'queues');
  }

  /** Each queue with its live workers, whether it starts builds, and its waiting and building jobs. */
  queueStates(): Promise<QueueState[]> {
    return this.#json('queueStates', 'GET', 'queues/state');
  }

  workers(): Promise<WorkerInfo[]> {
    return this.#json('workers', 'GET', 'workers');
  }

  imageTypes(): Promise<ImageTypeInfo[]> {
    return this.#json('imageTypes', 'GET', 'image-types');
  }

  arches(): Promise<ArchInfo[]> {
    return this.#json('arches', 'GET', 'arches');
  }

  templates(): Promise<TemplateInfo[]> {
    return this.#json('templates', 'GET', 'templates');
  }

  /** One template with its text. */
  template(name: string): Promise<TemplateDetail> {
    return this.#json('template', 'GET', `templates/${encodeURIComponent(name)}`);
  }

  /** The log from byte `offset` on, and the offset to ask from next time. */
  async log(id: string, offset = 0): Promise<{ text: string; offset: number }> {
    const response = await this.#send('GET', `jobs/${encodeURIComponent(id)}/log?offset=${offset}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    return { text: new TextDecoder().decode(bytes), offset: offset + bytes.length };
  }

  /**
   * The log as it grows, until the job ends. A dropped stream is picked up again where it stopped (the event
   * ids are byte offsets), a bounded number of times in a row.
   */
  async *followLog(
    id: string,
    options: { offset?: number; signal?: AbortSignal } = {},
  ): AsyncGenerator<LogEvent, void, undefined> {
    let offset = options.offset ?? 0;
    for (let failures = 0; failures < 5; ) {
      let response: Response;
      try {
        response = await this.#send('GET', `jobs/${encodeURIComponent(id)}/log?follow=1&offset=${offset}`, {
          headers: { accept: 'text/event-stream' },
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 0) throw error;
        failures++;
        await pause(500 * failures, options.signal);
        continue;
      }
      try {
        for await (const event of serverSentEvents(response)) {
          failures = 0;
          if (event.type === 'log') {
            offset = event.offset;
            yield event;
          } else {
            yield event;
            return;
          }
        }
      } catch (error) {
        if (options.signal?.aborted) throw error;
      }
      // The stream broke off before the job's end: pick it up again from the last offset, after a pause.
      failures++;
      await pause(500 * failures, options.signal);
    }
    throw new ApiError(0, 'unreachable', `the log stream of job ${id} kept breaking off`);
  }

  /**
   * Where every job change streams as Server-Sent Events (`job` events, a JobChange as JSON data), for a browser's
   * EventSource, which sends the session cookie but no bearer token.
   */
  jobChangesUrl(): string {
    return this.url('events');
  }

  /** Polls until the job is DONE, ERROR or CANCELLED; `onChange` sees each change of its status, step, place or reason to wait. */
  async waitFor(
    id: string,
    options: { intervalMs?: number; signal?: AbortSignal; onChange?: (job: Job) => void } = {},
  ): Promise<Job> {
    let last: string | undefined;
    for (;;) {
      const job = await this.get(id);
      const seen = JSON.stringify([job.status, job.progress, job.blocked, job.queue_position]);
      if (seen !== last) options.onChange?.(job);
      last = seen;
      if (isFinished(job.status)) return job;
      await pause(options.intervalMs ?? 2000, options.signal);
    }
  }

  /** A file's (or, without a name, the main image's) raw response, for callers that stream or resume it. */
  download(
    id: string,
    name: string | null,
    options: { headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const path = name === null ? `jobs/${encodeURIComponent(id)}/image` : filePath(id, name);
    return this.#send('GET', path, {
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /**
   * A worker's upload of one file of the job it builds (an admin's token): the server stores it in the job's
   * folder once the body hashes to `sha256`, and refuses it unless the job is BUILDING on `worker`.
   */
  async uploadFile(
    id: string,
    name: string,
    content: Blob,
    proof: { sha256: string; worker: string },
  ): Promise<UploadedFile> {
    const path = filePath(id, name);
    const response = await this.#send('PUT', path, {
      body: content,
      headers: {
        'content-type': 'application/octet-stream',
        'x-img-sha256': proof.sha256,
        'x-img-worker': proof.worker,
      },
    });
    return this.#read('uploadedFile', response, 'PUT', path);
  }

  /**
   * A worker's chunk of the live log of the job it builds (an admin's token), starting at byte `offset` of the
   * log; the answer's `size` is where the next chunk starts. An offset past the web node's end is refused as
   * `log-gap`, whose `details.size` is the offset to send from instead.
   */
  async appendLog(
    id: string,
    chunk: Blob,
    position: { offset: number; worker: string },
    options: { signal?: AbortSignal } = {},
  ): Promise<LogAppended> {
    const path = `jobs/${encodeURIComponent(id)}/log`;
    const response = await this.#send('POST', path, {
      ...(options.signal ? { signal: options.signal } : {}),
      body: chunk,
      headers: {
        'content-type': 'application/octet-stream',
        'x-img-offset': String(position.offset),
        'x-img-worker': position.worker,
      },
    });
    return this.#read('logAppended', response, 'POST', path);
  }

  /** Your own tokens, without their values. */
  tokens(): Promise<TokenInfo[]> {
    return this.#json('tokens', 'GET', 'tokens');
  }

  async revokeToken(id: string): Promise<void> {
    await this.#json('nothing', 'DELETE', `tokens/${encodeURIComponent(id)}`);
  }

  // The admin's calls: queues, users and groups.

  /** Creates the queue, or changes it when it exists. */
  putQueue(name: string, queue: QueueUpdate): Promise<Queue> {
    return this.#json('queue', 'PUT', `queues/${encodeURIComponent(name)}`, queue);
  }

  /** Refused while the queue holds jobs. */
  async removeQueue(name: string): Promise<void> {
    await this.#json('nothing', 'DELETE', `queues/${encodeURIComponent(name)}`);
  }

  users(): Promise<User[]> {
    return this.#json('users', 'GET', 'users');
  }

  addUser(user: UserCreate): Promise<User> {
    return this.#json('user', 'POST', 'users', user);
  }

  /** A new password (which ends their sessions; `revoke_tokens` revokes their tokens), e-mail or admin flag. */
  changeUser(username: string, changes: UserPatch): Promise<User> {
    return this.#json('user', 'PATCH', `users/${encodeURIComponent(username)}`, changes);
  }

  /** The user's jobs stay. */
  async removeUser(username: string): Promise<void> {
    await this.#json('nothing', 'DELETE', `users/${encodeURIComponent(username)}`);
  }

  groups(): Promise<Group[]> {
    return this.#json('groups', 'GET', 'groups');
  }

  /** Creates the group, or replaces its description, members and queues. */
  putGroup(name: string, group: GroupUpdate): Promise<Group> {
    return this.#json('group', 'PUT', `groups/${encodeURIComponent(name)}`, group);
  }

  async removeGroup(name: string): Promise<void> {
    await this.#json('nothing', 'DELETE', `groups/${encodeURIComponent(name)}`);
  }

  /** Every job matching the filter (up to `through`), up to BULK_DELETE_LIMIT a call. */
  deleteMatching(request: BulkDeleteRequest): Promise<BulkDeleteResult> {
    return this.#json('bulkDelete', 'POST', 'jobs/delete', request);
  }

  /** The site's name and public base URL (no login needed). */
  site(): Promise<Site> {
    return this.#json('site', 'GET', 'site');
  }

  /** A value sets it, null clears it (back to img.conf's). */
  changeSite(changes: SitePatch): Promise<Site> {
    return this.#json('site', 'PATCH', 'site', changes);
  }

  async #json<N extends AnswerName>(
    answer: N,
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<Answer<N>> {
    const init: RequestInit = signal ? { signal } : {};
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
    return this.#read(answer, await this.#send(method, path, init), method, path);
  }

  /** The answer's JSON, once checked to be the answer `name` (see answer-checks.ts). */
  async #read<N extends AnswerName>(
    name: N,
    response: Response,
    method: string,
    path: string,
  ): Promise<Answer<N>> {
    if (response.status === 204) return undefined as Answer<N>;
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new ApiError(response.status, 'bad-response', `${method} ${path}: the answer is not JSON`);
    }
    const problem = (await answerChecks()).answerProblem(name, body);
    if (problem !== null) {
      throw new ApiError(
        response.status,
        'bad-response',
        `${method} ${path}: the answer is not the API's (${problem})`,
      );
    }
    return body as Answer<N>;
  }

  /** Sends with the credentials; any answer but 2xx becomes an ApiError, no answer at all `unreachable`. */
  async #send(method: string, path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#token !== undefined) headers.set('authorization', `Bearer ${this.#token}`);
    else if (this.#csrfToken !== undefined && method !== 'GET') headers.set('x-csrf-token', this.#csrfToken);
    let response: Response;
    try {
      response = await this.#fetch(this.url(path), { ...init, method, headers });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiError(
        0,
        'unreachable',
        `cannot reach the IMG server at ${this.server}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      );
    }
    if (response.ok) return response;
    throw await errorOf(response, method, path);
  }
}

/** A job file's API path; a name's folders stay path separators. */
function filePath(id: string, name: string): string {
  return `jobs/${encodeURIComponent(id)}/files/${name.split('/').map(encodeURIComponent).join('/')}`;
}

async function errorOf(response: Response, method: string, path: string): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown; details?: unknown };
    if (typeof body.error === 'string' && typeof body.message === 'string') {
      return new ApiError(response.status, body.error as ErrorCode, body.message, body.details);
    }
  } catch {
    // Not the API's JSON: a proxy's page or a wrong URL; the status line says more than the body.
  }
  return new ApiError(
    response.status,
    'bad-response',
    `${method} ${path}: ${response.status} ${response.statusText} (is this an IMG server?)`,
  );
}

/** Parses a text/event-stream body into the log stream's events. */
async function* serverSentEvents(response: Response): AsyncGenerator<LogEvent, void, undefined> {
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = parseEvent(block);
        if (event) yield event;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

function parseEvent(block: string): LogEvent | null {
  let type = 'message';
  let id = '';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') type = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
  }
  if (type === 'log') return { type: 'log', text: `${data.join('\n')}\n`, offset: Number(id) };
  if (type === 'end') return { type: 'end', status: data.join('\n') };
  return null;
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

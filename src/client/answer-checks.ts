// What the API answers, checked against the contract's schemas before a client acts on it: a proxy's page, a
// server of another version or a broken one is refused here with the field that is wrong, instead of failing
// somewhere later in a page or a command. Loaded on the first answer (api-client.ts imports it lazily), so
// `imger --help` and the web page's first paint do not wait for TypeBox. Value.Check rather than TypeCompiler:
// compiling generates code with `new Function`, which the pages' content security policy (no 'unsafe-eval')
// forbids; answers are small, and a schema walk checks them in well under a millisecond.
import { FormatRegistry, type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  ArchSchema,
  ArtifactSchema,
  BulkDeleteResult,
  GroupSchema,
  ImageTypeSchema,
  JobChangeSchema,
  JobDetail,
  JobPageSchema,
  JobResultSchema,
  LintResult,
  LogAppendedSchema,
  QueueSchema,
  RenderResult,
  SessionSchema,
  ShareCreated,
  SharedJobSchema,
  ShareLinkSchema,
  SiteSchema,
  sharedSchemas,
  TemplateDetail,
  TemplateSchema,
  TokenCreated,
  TokenInfoSchema,
  UploadedFileSchema,
  UserSchema,
} from '../contract/api.ts';
import { ReadFailureSchema } from '../contract/failure.ts';
import { JobDiffSchema } from '../contract/manifest.ts';
import { StatsSchema } from '../contract/stats.ts';
import { QueueStateSchema, WorkerSchema } from '../contract/workers.ts';

/** The answers of the API by what they are; api-client.ts names one for each call. */
export const answers = {
  /** DELETE and the like: 204, or a body nobody reads. */
  nothing: Type.Unknown(),
  job: Type.Ref(JobDetail),
  jobPage: Type.Ref(JobPageSchema),
  jobChange: JobChangeSchema,
  artifacts: Type.Array(Type.Ref(ArtifactSchema)),
  jobDiff: JobDiffSchema,
  lint: LintResult,
  render: RenderResult,
  session: SessionSchema,
  tokenCreated: TokenCreated,
  tokens: Type.Array(TokenInfoSchema),
  stats: StatsSchema,
  queue: Type.Ref(QueueSchema),
  queues: Type.Array(Type.Ref(QueueSchema)),
  queueStates: Type.Array(Type.Ref(QueueStateSchema)),
  workers: Type.Array(Type.Ref(WorkerSchema)),
  imageTypes: Type.Array(ImageTypeSchema),
  arches: Type.Array(ArchSchema),
  templates: Type.Array(TemplateSchema),
  template: TemplateDetail,
  user: Type.Ref(UserSchema),
  users: Type.Array(Type.Ref(UserSchema)),
  group: Type.Ref(GroupSchema),
  groups: Type.Array(Type.Ref(GroupSchema)),
  uploadedFile: UploadedFileSchema,
  logAppended: LogAppendedSchema,
  jobResult: Type.Ref(JobResultSchema),
  shareCreated: ShareCreated,
  shares: Type.Array(ShareLinkSchema),
  sharedJob: SharedJobSchema,
  bulkDelete: BulkDeleteResult,
  site: Type.Ref(SiteSchema),
} satisfies Record<string, TSchema>;

export type AnswerName = keyof typeof answers;
export type Answer<N extends AnswerName> = Static<(typeof answers)[N]>;

// The schemas answers refer to by $id, with a failure read as a client must read a newer server's (see
// ReadFailureSchema): an unknown failure class is shown, not refused with the whole job.
const references = sharedSchemas.map((schema) =>
  schema.$id === ReadFailureSchema.$id ? ReadFailureSchema : schema,
);

// The formats the contract uses, as the server's validator (ajv-formats) reads them.
FormatRegistry.Set('date-time', (text) =>
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(text),
);
FormatRegistry.Set('date', (text) => /^\d{4}-\d\d-\d\d$/.test(text));

/** Why `value` is not the answer `name`, naming the first wrong field; null when it is. */
export function answerProblem(name: AnswerName, value: unknown): string | null {
  const schema = answers[name];
  if (Value.Check(schema, references, value)) return null;
  const first = Value.Errors(schema, references, value).First();
  return first ? `${first.path || '/'}: ${first.message}` : 'it does not fit the API';
}

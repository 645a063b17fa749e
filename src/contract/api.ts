import { type Static, Type } from '@sinclair/typebox';
import { arches } from '../builder/arches.ts';
import { imageTypes } from '../builder/image-types.ts';
import { JobEtaSchema } from './eta.ts';
import { FailureSchema } from './failure.ts';
import { JobProgressSchema } from './progress.ts';
import { JOB_STATUSES } from './status.ts';
import { JobBlockerSchema, QueueStateSchema, WorkerSchema } from './workers.ts';

/** The API's JSON shapes, declared once: Fastify validates and serialises with them, and OpenAPI shows them. */

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'a stable code, e.g. not-found, invalid-kickstart' }),
    message: Type.String(),
    details: Type.Optional(Type.Unknown()),
  },
  { $id: 'Error' },
);

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const JobStatusSchema = Type.Union(
  JOB_STATUSES.map((status) => Type.Literal(status)),
  { $id: 'JobStatus' },
);

const storedFileFields = { name: Type.String(), size: Type.Integer(), sha256: Type.String() };

export const ArtifactSchema = Type.Object({ ...storedFileFields, main: Type.Boolean() }, { $id: 'Artifact' });

/** What the web node stored of an upload; the job's artifacts are recorded when the worker finishes it. */
export const UploadedFileSchema = Type.Object(storedFileFields);
export type UploadedFile = Static<typeof UploadedFileSchema>;

/** The most a worker sends of a live log at once: a second's worth of even a chatty build, and little memory. */
export const LOG_CHUNK_MAX_BYTES = 1024 ** 2;

export const LogAppendedSchema = Type.Object({
  size: Type.Integer({ description: "the bytes of the log the web node now holds: the next chunk's offset" }),
});
export type LogAppended = Static<typeof LogAppendedSchema>;

/**
 * A job's own fields, named as the API shows them: the one definition of a job's shape. The jobs module's
 * domain type is derived from it (src/service/jobs/types.ts), the table row is mapped to it in one place
 * (src/service/jobs/rows.ts), and the wire objects below add what the API knows besides.
 */
export const JobRecordSummary = Type.Object({
  id: Type.String({ description: 'a ULID: unique, URL-safe and sorted by creation time' }),
  name: Type.String(),
  owner: Type.String(),
  email: nullable(Type.String()),
  queue: Type.String(),
  type: Type.String(),
  arch: Type.String(),
  status: Type.Ref(JobStatusSchema),
  error: nullable(Type.Ref(FailureSchema)),
  created: Type.String({ format: 'date-time' }),
  started: nullable(Type.String({ format: 'date-time' })),
  finished: nullable(Type.String({ format: 'date-time' })),
  tags: Type.Array(Type.String()),
  pinned: Type.Boolean(),
  worker: nullable(Type.String()),
  attempt: Type.Integer({ description: 'how many times a worker claimed the job' }),
  cancel_requested: Type.Boolean(),
  progress: nullable(Type.Ref(JobProgressSchema)),
});

/** A job's inputs and files: what a whole job has beyond its summary. */
export const JobRecordInputs = Type.Object({
  kickstart: Type.String({ description: 'the kickstart as submitted' }),
  built_kickstart: nullable(
    Type.String({ description: 'the kickstart the builder used (tokens applied, includes flattened)' }),
  ),
  tokenmap: Type.String({ description: 'TOKEN:VALUE,…' }),
  extra_repos: Type.Array(Type.String()),
  packages: Type.Array(Type.String(), { description: '`-name` excludes, `@name` is a group' }),
  artifacts: Type.Array(Type.Ref(ArtifactSchema)),
});

/** What the API adds to a stored job: where it stands, what keeps it waiting, when it should start and end. */
const JobStandingFields = Type.Object({
  queue_position: nullable(Type.Integer({ description: '1 = next to build; null unless IN QUEUE' })),
  blocked: nullable(Type.Ref(JobBlockerSchema)),
  eta: nullable(Type.Ref(JobEtaSchema)),
  links: Type.Object({
    self: Type.String(),
    log: Type.String(),
    files: Type.String(),
    image: Type.String(),
  }),
});

export const JobSummary = Type.Composite([JobRecordSummary, JobStandingFields], { $id: 'JobSummary' });
export type JobSummaryJson = Static<typeof JobSummary>;

export const JobDetail = Type.Composite([JobSummary, JobRecordInputs], { $id: 'Job' });
export type JobDetail = Static<typeof JobDetail>;

export const JobPageSchema = Type.Object(
  {
    jobs: Type.Array(Type.Ref(JobSummary)),
    next: nullable(Type.String({ description: 'pass as `before` for the next page' })),
  },
  { $id: 'JobPage' },
);

/** The data of a `job` event of GET /events: which job changed and to what, so a client knows to look again. */
export const JobChangeSchema = Type.Composite([
  Type.Pick(JobRecordSummary, ['id', 'status', 'queue', 'owner', 'progress']),
  Type.Object({
    updated: Type.String({ format: 'date-time', description: 'when the change was stored' }),
    removed: Type.Boolean({
      description: 'the job was deleted (deletions by other server processes are not seen)',
    }),
  }),
]);

const archField = Type.String({
  description: `architecture: ${arches.join(', ')} or a mic alias (i586, armv7tnhl, …)`,
});
const tokenmapField = Type.String({ description: 'TOKEN:VALUE,…' });
const overlayFields = {
  extra_repos: Type.Optional(Type.Array(Type.String())),
  packages: Type.Optional(Type.Array(Type.String(), { description: '`-name` excludes, `@name` is a group' })),
};

const submitFields = {
  type: Type.String({ description: `image type: ${imageTypes.join(', ')}` }),
  arch: archField,
  name: Type.Optional(Type.String({ maxLength: 100 })),
  queue: Type.Optional(Type.String({ description: 'default: api' })),
  email: Type.Optional(Type.String()),
  tokenmap: Type.Optional(tokenmapField),
};

export const SubmitJson = Type.Object(
  {
    kickstart: Type.Optional(Type.String({ description: 'the kickstart text; or give `template`' })),
    template: Type.Optional(Type.String({ description: 'name of a ready template (GET /templates)' })),
    ...submitFields,
    ...overlayFields,
    tags: Type.Optional(Type.Array(Type.String())),
    pinned: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type SubmitJson = Static<typeof SubmitJson>;

/** The same fields as a form: lists comma-separated, `pinned` as yes/no, the kickstart as a file. */
export const SubmitForm = Type.Object(
  {
    kickstart: Type.Optional(Type.String({ format: 'binary' })),
    template: Type.Optional(Type.String()),
    ...submitFields,
    extra_repos: Type.Optional(Type.String({ description: 'comma-separated' })),
    packages: Type.Optional(Type.String({ description: 'comma-separated' })),
    tags: Type.Optional(Type.String({ description: 'comma-separated' })),
    pinned: Type.Optional(Type.String({ description: 'yes or no' })),
  },
  { additionalProperties: false },
);
export type SubmitForm = Static<typeof SubmitForm>;

/** The kickstart and what changes its meaning in a job: a lint answers for these exactly as a submit would. */
export const LintRequest = Type.Object(
  {
    kickstart: Type.String(),
    tokenmap: Type.Optional(tokenmapField),
    type: Type.Optional(
      Type.String({ description: 'the image type; without it, the checks that depend on it are left out' }),
    ),
    arch: Type.Optional(archField),
    ...overlayFields,
  },
  { additionalProperties: false },
);
export type LintRequest = Static<typeof LintRequest>;

const KickstartProblemSchema = Type.Object({
  line: Type.Integer({ description: '1-based; 0 for the kickstart as a whole' }),
  message: Type.String(),
});

export const LintResult = Type.Object({
  ok: Type.Boolean({ description: "no errors: the kickstart passes a submit's checks" }),
  errors: Type.Array(KickstartProblemSchema),
  warnings: Type.Array(KickstartProblemSchema),
});
export type LintResult = Static<typeof LintResult>;

export const RenderRequest = Type.Object(
  {
    configurations: Type.String({ description: "kickstarter's configurations.yaml, as text" }),
    repos: Type.Optional(Type.String({ description: 'its repos.yaml, as text' })),
    name: Type.Optional(
      Type.String({ description: 'render only the configuration of this Name or FileName' }),
    ),
  },
  { additionalProperties: false },
);
export type RenderRequest = Static<typeof RenderRequest>;

export const RenderResult = Type.Object({
  files: Type.Array(Type.Object({ name: Type.String(), path: Type.String(), text: Type.String() })),
  errors: Type.Array(
    Type.Object({
      file: Type.String(),
      message: Type.String(),
      line: Type.Optional(Type.Integer()),
      key: Type.Optional(Type.String({ description: 'the configuration key to fix' })),
      image: Type.Optional(Type.String({ description: 'the configuration being rendered' })),
    }),
  ),
  inactive: Type.Array(Type.String({ description: 'configurations skipped for `Active: false`' })),
});
export type RenderResult = Static<typeof RenderResult>;

export const JobListQuery = Type.Object({
  queue: Type.Optional(Type.String()),
  owner: Type.Optional(Type.String({ description: 'a user name, or `mine`' })),
  status: Type.Optional(Type.Ref(JobStatusSchema)),
  tag: Type.Optional(Type.String()),
  text: Type.Optional(Type.String({ description: 'part of the name, or the id' })),
  before: Type.Optional(Type.String({ description: 'the `next` of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
});
export type JobListQuery = Static<typeof JobListQuery>;

export const JobParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
export type JobParams = Static<typeof JobParams>;

/** A job's file: the wildcard holds its name, which may have folders in it. */
export const FileParams = Type.Object({ id: Type.String({ maxLength: 64 }), '*': Type.String() });
export type FileParams = Static<typeof FileParams>;

export const JobPatch = Type.Object(
  { tags: Type.Optional(Type.Array(Type.String())), pinned: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type JobPatch = Static<typeof JobPatch>;

export const QueueSchema = Type.Object(
  { name: Type.String(), description: Type.String(), starts_builds: Type.Boolean() },
  { $id: 'Queue' },
);
export type QueueBody = Static<typeof QueueSchema>;

export const UserSchema = Type.Object(
  {
    username: Type.String(),
    email: nullable(Type.String()),
    admin: Type.Boolean(),
    created: Type.String(),
    groups: Type.Array(Type.String()),
    ldap: Type.Boolean({
      description: 'made by an LDAP login: the password lives in the directory, and IMG keeps none',
    }),
  },
  { $id: 'User' },
);

export const UserCreate = Type.Object(
  {
    username: Type.String(),
    password: Type.String(),
    email: Type.Optional(nullable(Type.String())),
    admin: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UserCreate = Static<typeof UserCreate>;

const revokeTokensField = Type.Optional(
  Type.Boolean({ description: 'with a new password: revoke every API token of the user as well' }),
);

export const UserPatch = Type.Object(
  {
    password: Type.Optional(
      Type.String({ description: "ends the user's sessions (but the admin's own, when it is theirs)" }),
    ),
    revoke_tokens: revokeTokensField,
    email: Type.Optional(nullable(Type.String())),
    admin: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UserPatch = Static<typeof UserPatch>;

export const GroupSchema = Type.Object(
  { name: Type.String(), description: Type.String(), members: Type.Array(Type.String()) },
  { $id: 'Group' },
);
export type GroupBody = Static<typeof GroupSchema>;

const credentialFields = {
  username: Type.String({ maxLength: 64 }),
  password: Type.String({ maxLength: 1024 }),
};

export const Credentials = Type.Object(credentialFields, { additionalProperties: false });
export type Credentials = Static<typeof Credentials>;

/** The credentials, and what the new token is called and until when it works. */
export const TokenRequest = Type.Object(
  {
    ...credentialFields,
    name: Type.Optional(Type.String({ description: 'what you call it, shown in the token list' })),
    expires_in_days: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 36500,
        description: 'the token stops working after this many days',
      }),
    ),
    expires: Type.Optional(
      Type.String({ description: 'or: the moment it stops working, an ISO 8601 date or date-time' }),
    ),
  },
  { additionalProperties: false },
);
export type TokenRequest = Static<typeof TokenRequest>;

export const PasswordChange = Type.Object(
  {
    current_password: Type.String({ maxLength: 1024 }),
    new_password: Type.String({ maxLength: 1024 }),
    revoke_tokens: revokeTokensField,
  },
  { additionalProperties: false },
);
export type PasswordChange = Static<typeof PasswordChange>;

export const NameParams = Type.Object({ name: Type.String({ maxLength: 100 }) });
export type NameParams = Static<typeof NameParams>;

export const SessionSchema = Type.Object({
  username: Type.String(),
  admin: Type.Boolean(),
  csrf_token: Type.String(),
});
export type SessionBody = Static<typeof SessionSchema>;

const tokenFields = {
  id: Type.String(),
  name: nullable(Type.String()),
  expires: nullable(Type.String({ format: 'date-time', description: 'null: until revoked' })),
};

export const TokenCreated = Type.Object({ ...tokenFields, token: Type.String() });
export type TokenCreated = Static<typeof TokenCreated>;

/** A token as its owner sees it later: never its value. */
export const TokenInfoSchema = Type.Object({
  ...tokenFields,
  created: Type.String(),
  last_used: nullable(Type.String()),
  expired: Type.Boolean({ description: 'past its expiry: refused, kept in the list until revoked' }),
});

export const ImageTypeSchema = Type.Object({
  name: Type.String(),
  bootable: Type.Boolean(),
  live: Type.Boolean(),
});
export const ArchSchema = Type.Object({
  name: Type.String(),
  debian: Type.String(),
  emulated: Type.Boolean(),
});
export const TemplateSchema = Type.Object({
  name: Type.String(),
  display_name: Type.String(),
  suggested_image_type: nullable(Type.String()),
  suggested_architecture: nullable(Type.String()),
  suggested_features: Type.Array(Type.String()),
  tokens: Type.Array(Type.String(), {
    description:
      'the @TOKEN@s of the text for the tokenmap, in order of first use; not ARCH, the build fills it',
  }),
});
export const TemplateDetail = Type.Composite([TemplateSchema, Type.Object({ text: Type.String() })]);
export type TemplateDetail = Static<typeof TemplateDetail>;

/** Every schema other schemas refer to by $id; registered once on the app. */
export const sharedSchemas = [
  ErrorBody,
  FailureSchema,
  JobStatusSchema,
  JobProgressSchema,
  JobBlockerSchema,
  JobEtaSchema,
  WorkerSchema,
  QueueStateSchema,
  ArtifactSchema,
  JobSummary,
  JobDetail,
  JobPageSchema,
  QueueSchema,
  UserSchema,
  GroupSchema,
];

import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { arches } from '../builder/arches.ts';
import { imageTypes } from '../builder/image-types.ts';
import { JobEtaSchema } from './eta.ts';
import { FailureSchema } from './failure.ts';
import type { JobFilterKey } from './job-filters.ts';
import { BULK_DELETE_LIMIT, COUNT_LIMIT } from './list-limits.ts';
import { JobProgressSchema } from './progress.ts';
import { MAX_SHARE_HOURS } from './shares.ts';
import { MAX_SITE_NAME, MAX_SITE_URL } from './site.ts';
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

/** Null first: with the API's type coercion, a null tried against a string first would become "". */
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([Type.Null(), schema]);

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
  retry_of: nullable(Type.String({ description: 'the job this one retries' })),
  reused_from: nullable(
    Type.String({ description: 'the DONE job with the same build key whose files this one shares, unbuilt' }),
  ),
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
  build_key: nullable(
    Type.String({
      description:
        "SHA-256 over everything that decides the image (the kickstart's meaning, type, arch, name, tokens, " +
        "extra repos and packages, the builder's version, the package sources' metadata digests); set by the worker",
    }),
  ),
  fresh: Type.Boolean({ description: 'built afresh even if an identical build was DONE or running' }),
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

const JobTotalSchema = Type.Object(
  {
    count: Type.Integer({ description: 'how many jobs match; with `exact` false, at least this many' }),
    exact: Type.Boolean({
      description:
        `false when counting stopped: filters by queue and status alone are counted exactly (kept by the database); ` +
        `others among the newest ${COUNT_LIMIT} jobs of the narrowest filter`,
    }),
  },
  { $id: 'JobTotal' },
);
export type JobTotal = Static<typeof JobTotalSchema>;

export const JobPageSchema = Type.Object(
  {
    jobs: Type.Array(Type.Ref(JobSummary)),
    next: nullable(Type.String({ description: 'pass as `before` for the next page' })),
    total: Type.Ref(JobTotalSchema),
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
    fresh: Type.Optional(
      Type.Boolean({
        description: 'build afresh instead of sharing the files of an identical DONE or running build',
      }),
    ),
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
    fresh: Type.Optional(Type.String({ description: 'yes or no' })),
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
    files: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description:
          'the scripts/ and partitions/ files of the kickstarter folder, by their path beside configurations.yaml ' +
          '(`scripts/setup.post`, `partitions/n900`); without it, a configuration that names one is refused',
      }),
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

/** What a list of jobs can be narrowed by; every one is an equality but `text` (and `tag`, one of the list). */
const jobFilterFields = {
  queue: Type.Optional(Type.String({ maxLength: 100 })),
  owner: Type.Optional(Type.String({ maxLength: 100, description: 'a user name, or `mine`' })),
  status: Type.Optional(Type.Ref(JobStatusSchema)),
  arch: Type.Optional(Type.String({ maxLength: 100, description: 'the architecture as the job names it' })),
  type: Type.Optional(Type.String({ maxLength: 100, description: 'the image type' })),
  tag: Type.Optional(Type.String({ maxLength: 200 })),
  text: Type.Optional(Type.String({ maxLength: 200, description: 'part of the name, or the id' })),
} satisfies Record<JobFilterKey, TSchema>;

export const JobListQuery = Type.Object({
  ...jobFilterFields,
  before: Type.Optional(Type.String({ description: 'the `next` of the previous page' })),
  offset: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: COUNT_LIMIT,
      description: `jobs to skip (after \`before\`), for numbered pages; beyond ${COUNT_LIMIT}, page by \`before\``,
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
});
export type JobListQuery = Static<typeof JobListQuery>;

export const BulkDeleteRequest = Type.Object(
  {
    ...jobFilterFields,
    through: Type.String({
      maxLength: 64,
      description: 'the newest job id the caller counted: jobs submitted after it are not touched',
    }),
  },
  { additionalProperties: false },
);
export type BulkDeleteRequest = Static<typeof BulkDeleteRequest>;

export const BulkDeleteResult = Type.Object({
  deleted: Type.Integer(),
  refused: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), message: Type.String() }), {
    description: 'jobs kept (pinned, building), the first 100 of them',
  }),
  refused_count: Type.Integer(),
  more: Type.Boolean({ description: `more than ${BULK_DELETE_LIMIT} jobs matched: call again for the rest` }),
});
export type BulkDeleteResult = Static<typeof BulkDeleteResult>;

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
  {
    name: Type.String(),
    description: Type.String(),
    starts_builds: Type.Boolean(),
    groups: Type.Array(Type.String(), {
      description:
        'only members of these groups (and admins) may submit to it; empty: everyone (set on the groups)',
    }),
  },
  { $id: 'Queue' },
);
export type QueueBody = Static<typeof QueueSchema>;

/** A queue as an admin creates or changes it; its groups are set on the groups. */
export const QueueUpdate = Type.Object({ description: Type.String(), starts_builds: Type.Boolean() });
export type QueueUpdate = Static<typeof QueueUpdate>;

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
  {
    name: Type.String(),
    description: Type.String(),
    members: Type.Array(Type.String()),
    queues: Type.Array(Type.String(), {
      description:
        'the queues its members may submit to; a queue no group names is open to everyone, and admins to all',
    }),
  },
  { $id: 'Group' },
);
export type GroupBody = Static<typeof GroupSchema>;

export const GroupUpdate = Type.Object(
  {
    description: Type.String({ maxLength: 500 }),
    members: Type.Array(Type.String()),
    queues: Type.Optional(Type.Array(Type.String(), { description: 'none: the group opens no queue' })),
  },
  { additionalProperties: false },
);
export type GroupUpdate = Static<typeof GroupUpdate>;

/** The site as its users and mails see it; an admin's setting in the pages wins over img.conf until cleared. */
export const SiteSchema = Type.Object(
  {
    name: Type.String({ description: 'the name the pages and mails call the site' }),
    base_url: Type.String({ description: 'the URL users reach the site at, ending in /: links use it' }),
    base_url_from: Type.Union([Type.Literal('pages'), Type.Literal('img.conf'), Type.Literal('listen')], {
      description: "set in the pages, img.conf's [notify] base_url, or (neither) the listen address",
    }),
    set: Type.Object(
      {
        name: nullable(Type.String()),
        base_url: nullable(Type.String()),
      },
      { description: 'what an admin set in the pages; null: not set, img.conf (or the default) holds' },
    ),
  },
  { $id: 'Site' },
);
export type SiteBody = Static<typeof SiteSchema>;

export const SitePatch = Type.Object(
  {
    name: Type.Optional(
      nullable(Type.String({ maxLength: MAX_SITE_NAME, description: 'null or empty clears it' })),
    ),
    base_url: Type.Optional(
      nullable(
        Type.String({
          maxLength: MAX_SITE_URL,
          description: 'http(s), no user or password; null or empty clears it',
        }),
      ),
    ),
  },
  { additionalProperties: false },
);
export type SitePatch = Static<typeof SitePatch>;

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
  ldap: Type.Boolean({ description: 'the password lives in LDAP: change it there, not here' }),
  default_password_accounts: Type.Array(Type.String(), {
    description: 'for an admin: the accounts that still have the password the first start gave them',
  }),
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
  description: Type.String({ description: 'what an image of this type is and how it is used' }),
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
  description: Type.String({
    description: "the header comment's prose: what the template builds; may be empty",
  }),
  tokens: Type.Array(Type.String(), {
    description:
      'the @TOKEN@s of the text for the tokenmap, in order of first use; not ARCH, the build fills it',
  }),
});
export const TemplateDetail = Type.Composite([TemplateSchema, Type.Object({ text: Type.String() })]);
export type TemplateDetail = Static<typeof TemplateDetail>;

/** How to use a downloaded image (src/builder/image-usage.ts). */
const ImageUseSchema = Type.Object({
  how: Type.String(),
  commands: Type.Array(Type.String(), { description: 'shell lines, the file name filled in' }),
});

/** The result of a DONE job, as the top of its page and a share link show it. */
export const JobResultSchema = Type.Object(
  {
    image: nullable(Type.Ref(ArtifactSchema)),
    use: nullable(ImageUseSchema),
    logins: nullable(
      Type.Object({
        root_password: Type.Boolean({ description: 'the kickstart sets a root password (never shown)' }),
        users: Type.Array(Type.Object({ name: Type.String(), password: Type.Boolean() })),
      }),
    ),
  },
  { $id: 'JobResult' },
);
export type JobResult = Static<typeof JobResultSchema>;

export const ShareRequest = Type.Object(
  {
    expires_in_hours: Type.Integer({
      minimum: 1,
      maximum: MAX_SHARE_HOURS,
      description: 'the link stops working after this many hours',
    }),
  },
  { additionalProperties: false },
);
export type ShareRequest = Static<typeof ShareRequest>;

const shareLinkFields = {
  id: Type.String(),
  created_by: Type.String(),
  created: Type.String({ format: 'date-time' }),
  expires: Type.String({ format: 'date-time' }),
};

/** A link as its maker lists it later: never its token. */
export const ShareLinkSchema = Type.Object(shareLinkFields);
export type ShareLinkJson = Static<typeof ShareLinkSchema>;

export const ShareCreated = Type.Object({
  ...shareLinkFields,
  token: Type.String({ description: 'shown once; only its hash is kept' }),
  url: Type.String({
    description: 'the path of what the link opens: GET it for the files, add a name to download',
  }),
});
export type ShareCreated = Static<typeof ShareCreated>;

export const ShareParams = Type.Object({ token: Type.String({ maxLength: 100 }) });
export type ShareParams = Static<typeof ShareParams>;
export const ShareFileParams = Type.Object({ token: Type.String({ maxLength: 100 }), '*': Type.String() });
export type ShareFileParams = Static<typeof ShareFileParams>;
export const ShareIdParams = Type.Object({
  id: Type.String({ maxLength: 64 }),
  share: Type.String({ maxLength: 64 }),
});
export type ShareIdParams = Static<typeof ShareIdParams>;

/** What a share link opens, to someone without an account: the job's name and files, nothing of its owner. */
export const SharedJobSchema = Type.Object({
  name: Type.String(),
  type: Type.String(),
  arch: Type.String(),
  finished: nullable(Type.String({ format: 'date-time' })),
  expires: Type.String({ format: 'date-time' }),
  files: Type.Array(Type.Ref(ArtifactSchema)),
  result: Type.Ref(JobResultSchema),
});
export type SharedJob = Static<typeof SharedJobSchema>;

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
  JobResultSchema,
  JobSummary,
  JobDetail,
  JobTotalSchema,
  JobPageSchema,
  QueueSchema,
  UserSchema,
  GroupSchema,
  SiteSchema,
];

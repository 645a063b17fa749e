// An image's manifest (what the builder writes as NAME.manifest.json beside the image) and the difference of two
// manifests (GET /jobs/{a}/diff/{b}, `imger diff`): one definition for the builder that writes it, the service
// that reads it back from a job's folder (validated, as any file there), and the clients.
import { type Static, Type } from '@sinclair/typebox';

/** The manifest file's name suffix: NAME.manifest.json. */
export const MANIFEST_SUFFIX = '.manifest.json';
/** The format this code writes and reads; a manifest of another format is not compared. */
export const MANIFEST_FORMAT = 1;
/** Far above a desktop image's manifest (~150 bytes a file), far below what would strain the service. */
export const MAX_MANIFEST_BYTES = 64 * 2 ** 20;

export const FILE_KINDS = ['file', 'dir', 'link', 'char', 'block', 'fifo', 'socket'] as const;

export const ManifestPackageSchema = Type.Object(
  {
    name: Type.String(),
    version: Type.String(),
    arch: Type.String(),
  },
  { additionalProperties: false },
);
export type ManifestPackage = Static<typeof ManifestPackageSchema>;

export const ManifestFileSchema = Type.Object(
  {
    /** Absolute inside the image. */
    path: Type.String({ pattern: '^/' }),
    kind: Type.Union(FILE_KINDS.map((kind) => Type.Literal(kind))),
    /** Permission bits with setuid, setgid and sticky (st_mode & 0o7777). */
    mode: Type.Integer({ minimum: 0, maximum: 0o7777 }),
    uid: Type.Integer({ minimum: 0 }),
    gid: Type.Integer({ minimum: 0 }),
    /** Regular files only. */
    size: Type.Optional(Type.Integer({ minimum: 0 })),
    sha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
    /** Links only. */
    target: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type ManifestFile = Static<typeof ManifestFileSchema>;

export const ManifestSchema = Type.Object(
  {
    format: Type.Literal(MANIFEST_FORMAT),
    /** Sorted by name, then arch. */
    packages: Type.Array(ManifestPackageSchema),
    /** In tree order: a folder, then its entries sorted by name. */
    files: Type.Array(ManifestFileSchema),
  },
  { additionalProperties: false },
);
export type Manifest = Static<typeof ManifestSchema>;

/** The fields of a file a diff compares. */
export const COMPARED_FILE_FIELDS = ['kind', 'mode', 'uid', 'gid', 'size', 'sha256', 'target'] as const;

/** A file as the diff shows it: only what is compared. */
const DiffFileSchema = Type.Object({
  path: Type.String(),
  kind: Type.String(),
  mode: Type.Integer(),
  uid: Type.Integer(),
  gid: Type.Integer(),
  size: Type.Optional(Type.Integer()),
  sha256: Type.Optional(Type.String()),
  target: Type.Optional(Type.String()),
});

/** Two jobs by their ids: what a job id can be and no more, so nothing else reaches a lookup or a message. */
const JobIdParam = Type.String({ pattern: '^[0-9A-Za-z_-]{1,64}$' });
export const JobDiffParams = Type.Object({ id: JobIdParam, other: JobIdParam });
export type JobDiffParams = Static<typeof JobDiffParams>;

export const JobDiffSchema = Type.Object({
  from: Type.String({ description: 'job id A' }),
  to: Type.String({ description: 'job id B' }),
  packages: Type.Object({
    added: Type.Array(ManifestPackageSchema),
    removed: Type.Array(ManifestPackageSchema),
    changed: Type.Array(
      Type.Object({ name: Type.String(), arch: Type.String(), from: Type.String(), to: Type.String() }),
    ),
  }),
  files: Type.Object({
    added: Type.Array(DiffFileSchema),
    removed: Type.Array(DiffFileSchema),
    changed: Type.Array(
      Type.Object({
        path: Type.String(),
        fields: Type.Array(Type.Union(COMPARED_FILE_FIELDS.map((field) => Type.Literal(field)))),
        from: DiffFileSchema,
        to: DiffFileSchema,
      }),
    ),
  }),
});
export type JobDiff = Static<typeof JobDiffSchema>;

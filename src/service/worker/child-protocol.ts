// What a worker and its build child say to each other. The order goes to the child's stdin as one JSON
// document; the child answers on stdout with one JSON message a line. Both sides check what they read against
// these schemas: anything else the child prints (a stack trace, a stray or malformed write) is kept in the log
// as it is, never acted upon.
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { BuildEventSchema } from '../../builder/events.ts';
import { JobRecordInputs, JobRecordSummary } from '../../contract/api.ts';
import { FailureSchema, parseFailure } from '../../contract/failure.ts';

export const BuildOrderSchema = Type.Object({
  /** What the build needs of the job, as the contract defines it. */
  job: Type.Composite([
    Type.Pick(JobRecordSummary, ['id', 'name', 'type', 'arch']),
    Type.Pick(JobRecordInputs, ['kickstart', 'tokenmap', 'extra_repos', 'packages']),
  ]),
  /** The job's folder, `<base_dir>/<queue>/<owner>/<id>/`: the images and the log end up here. */
  outputDir: Type.String(),
  builder: Type.Union([Type.Literal('native'), Type.Literal('mic')]),
  micOpts: Type.Array(Type.String()),
  /** `[worker] timeout`: the builder's own whole-build deadline; the worker's hard stop comes a little later. */
  deadlineMs: Type.Integer({ minimum: 1 }),
  /** `[worker] gpg_key_dir` and `sandbox_id_base`, for the native builder. */
  gpgKeyDir: Type.String(),
  sandboxIdBase: Type.Integer({ minimum: 0 }),
  /**
   * A build VM's: each base root the build makes is copied into CACHE_EXPORT_FOLDER and announced, for the
   * host to take into its cache (vm/cache-write-back.ts).
   */
  exportBaseRoots: Type.Optional(Type.Boolean()),
});
export type BuildOrder = Static<typeof BuildOrderSchema>;

const ResultSchema = Type.Union([
  Type.Object({
    type: Type.Literal('result'),
    ok: Type.Literal(true),
    main: Type.Union([Type.String(), Type.Null()]),
    /** Size and SHA-256 of the files the builder hashed, by name in the job's folder; each is checked on use. */
    digests: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
  Type.Object({ type: Type.Literal('result'), ok: Type.Literal(false), failure: FailureSchema }),
]);

/** In the build's output folder; a dot name, so never one of the job's files. */
export const CACHE_EXPORT_FOLDER = '.cache-export';

/** A base root the build stored, copied to CACHE_EXPORT_FOLDER/<inCache>: its path in the cache and its bytes. */
const BaseRootSchema = Type.Object({
  type: Type.Literal('base-root'),
  inCache: Type.String({ maxLength: 200 }),
  size: Type.Integer({ minimum: 0 }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
});
export type BaseRootMessage = Static<typeof BaseRootSchema>;

/** Every line the child may send, checked on arrival: a child is another program, and may be a broken one. */
export const ChildMessageSchema = Type.Union([
  /** First, so the worker can find every process of the build when it must stop it. */
  Type.Object({ type: Type.Literal('started'), pid: Type.Integer({ minimum: 1 }) }),
  BuildEventSchema,
  BaseRootSchema,
  ResultSchema,
]);
export type ChildMessage = Static<typeof ChildMessageSchema>;
export type ChildResult = Static<typeof ResultSchema>;

export function encodeMessage(message: ChildMessage): string {
  return `${JSON.stringify(message)}\n`;
}

const childMessage = TypeCompiler.Compile(ChildMessageSchema);
const buildOrder = TypeCompiler.Compile(BuildOrderSchema);

/** The message a stdout line carries, or null for a line that is plain text (or not a valid message). */
export function parseChildLine(line: string): ChildMessage | null {
  if (!line.startsWith('{')) return null;
  const message = parseJson(line, childMessage);
  // The owner of a class is the contract's to say, not the child's.
  if (message?.type === 'result' && !message.ok && !parseFailure(message.failure)) return null;
  return message;
}

/** The order the child read from its stdin; throws, naming the first wrong field, when it is not one. */
export function parseBuildOrder(text: string): BuildOrder {
  const order = parseJson(text, buildOrder);
  if (order === null) {
    const first = buildOrder.Errors(safeParse(text)).First();
    throw new Error(`the build order is not valid${first ? `: ${first.path || '/'} ${first.message}` : ''}`);
  }
  return order;
}

function parseJson<T extends TSchema>(
  text: string,
  check: ReturnType<typeof TypeCompiler.Compile<T>>,
): Static<T> | null {
  const value = safeParse(text);
  return check.Check(value) ? value : null;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

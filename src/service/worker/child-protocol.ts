// What a worker and its build child say to each other. The order goes to the child's stdin as one JSON
// document; the child answers on stdout with one JSON message a line. Anything else the child prints (a
// stack trace, a stray write) is kept in the log as it is.
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { stepNames } from '../../builder/steps.ts';
import { FailureSchema, parseFailure } from '../../contract/failure.ts';

export interface BuildOrder {
  job: {
    id: string;
    name: string;
    type: string;
    arch: string;
    kickstart: string;
    tokenmap: string;
    extraRepos: string[];
    packages: string[];
  };
  /** The job's folder, `<base_dir>/<queue>/<owner>/<id>/`: the images and the log end up here. */
  outputDir: string;
  builder: 'native' | 'mic';
  micOpts: readonly string[];
  /** `[worker] timeout`: the builder's own whole-build deadline; the worker's hard stop comes a little later. */
  deadlineMs: number;
  /** `[worker] gpg_key_dir` and `sandbox_id_base`, for the native builder. */
  gpgKeyDir: string;
  sandboxIdBase: number;
}

const step = Type.Union(stepNames.map((name) => Type.Literal(name)));
const count = Type.Integer({ minimum: 0 });

/** Every line the child may send, checked on arrival: a child is another program, and may be a broken one. */
const ChildMessageSchema = Type.Union([
  /** First, so the worker can find every process of the build when it must stop it. */
  Type.Object({ type: Type.Literal('started'), pid: Type.Integer({ minimum: 1 }) }),
  Type.Object({ type: Type.Literal('log'), step: Type.Optional(step), line: Type.String() }),
  Type.Object({
    type: Type.Literal('progress'),
    step,
    index: count,
    total: count,
    packages: Type.Optional(Type.Object({ done: count, total: count })),
  }),
  Type.Object({ type: Type.Literal('step-finished'), step, ms: count }),
  Type.Object({
    type: Type.Literal('result'),
    ok: Type.Literal(true),
    main: Type.Union([Type.String(), Type.Null()]),
    /** Size and SHA-256 of the files the builder hashed, by name in the job's folder; each is checked on use. */
    digests: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
  Type.Object({ type: Type.Literal('result'), ok: Type.Literal(false), failure: FailureSchema }),
]);

export type ChildMessage = Static<typeof ChildMessageSchema>;
export type ChildResult = Extract<ChildMessage, { type: 'result' }>;

export function encodeMessage(message: ChildMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/** The message a stdout line carries, or null for a line that is plain text (or not a message this worker knows). */
export function parseChildLine(line: string): ChildMessage | null {
  if (!line.startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (!Value.Check(ChildMessageSchema, value)) return null;
  // The owner of a class is the contract's to say, not the child's.
  if (value.type === 'result' && !value.ok && !parseFailure(value.failure)) return null;
  return value;
}

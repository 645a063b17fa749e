// What a build tells its caller while it runs: log lines and progress, both naming the step. Declared as schemas
// because the events cross a process boundary (the build child's stdout), where they are checked, not trusted.
import { type Static, Type } from '@sinclair/typebox';
import { stepNames } from './steps.ts';

export const StepNameSchema = Type.Union(stepNames.map((name) => Type.Literal(name)));

const count = Type.Integer({ minimum: 0 });

export const LogEventSchema = Type.Object({
  type: Type.Literal('log'),
  step: Type.Optional(StepNameSchema),
  line: Type.String(),
});
export type LogEvent = Static<typeof LogEventSchema>;

export const ProgressEventSchema = Type.Object({
  type: Type.Literal('progress'),
  step: StepNameSchema,
  /** 1-based position of the step among the steps this build runs. */
  index: Type.Integer({ minimum: 1 }),
  total: Type.Integer({ minimum: 1 }),
  /** The names of the steps this build runs, in order: a stage bar can show what is still to come. */
  steps: Type.Array(StepNameSchema, { minItems: 1, maxItems: stepNames.length }),
  /** Packages installed so far, when the step installs packages and knows how many. */
  packages: Type.Optional(Type.Object({ done: count, total: count })),
  /** Bytes of the step's work done so far, when it knows the total (packages fetched, images written, hashed). */
  bytes: Type.Optional(Type.Object({ done: count, total: count })),
});
export type ProgressEvent = Static<typeof ProgressEventSchema>;

export const StepFinishedEventSchema = Type.Object({
  type: Type.Literal('step-finished'),
  step: StepNameSchema,
  ms: count,
});
export type StepFinishedEvent = Static<typeof StepFinishedEventSchema>;

export const BuildEventSchema = Type.Union([LogEventSchema, ProgressEventSchema, StepFinishedEventSchema]);
export type BuildEvent = Static<typeof BuildEventSchema>;
export type BuildEventListener = (event: BuildEvent) => void;

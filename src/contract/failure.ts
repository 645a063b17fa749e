// Why a job failed: the one definition of what a failure carries (its classes are in failure-classes.ts), used unchanged by
// the builder, the build child's messages, the database row, the API, the pages, the CLI and the notifications.
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { FAILURE_CLASSES, type FailureClass, failureClasses } from './failure-classes.ts';

export { FAILURE_CLASSES, type FailureClass, type FailureOwner, failureClasses } from './failure-classes.ts';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const FailureDetailsSchema = Type.Object(
  {
    packages: Type.Optional(Type.Array(Type.String(), { description: 'the packages that were not found' })),
    sources: Type.Optional(
      Type.Array(Type.String(), { description: 'the package sources searched, as `URL [SUITE COMPONENT…]`' }),
    ),
    script: Type.Optional(
      Type.Object(
        {
          kind: Type.String({ description: 'pre, post or pack' }),
          number: Type.Integer({ minimum: 1, description: 'its place among the scripts of its kind' }),
          exit_code: nullable(Type.Integer({ description: 'null when a signal ended it' })),
        },
        { additionalProperties: false },
      ),
    ),
    repository: Type.Optional(
      Type.Object(
        { url: Type.String(), problem: Type.String({ description: 'what failed, as the tool said it' }) },
        { additionalProperties: false },
      ),
    ),
    limit_s: Type.Optional(Type.Number({ description: 'timeout: the limit that was exceeded, in seconds' })),
    log_line: Type.Optional(
      Type.Object(
        {
          number: Type.Optional(Type.Integer({ minimum: 1, description: "1-based line of the job's log" })),
          text: Type.String({ description: 'the first line that says what went wrong' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type FailureDetails = Static<typeof FailureDetailsSchema>;

export const FailureSchema = Type.Object(
  {
    class: literals(FAILURE_CLASSES),
    owner: literals(['user', 'service'] as const),
    step: nullable(Type.String({ description: 'the build step that failed; null outside the build' })),
    message: Type.String(),
    details: FailureDetailsSchema,
  },
  { $id: 'Failure', additionalProperties: false },
);
export type Failure = Static<typeof FailureSchema>;

/**
 * A failure as a client reads it from a server that may be newer: a class, an owner or a detail this version
 * does not know is shown as text rather than refused, and the details it knows are still checked. Under the same
 * $id, so the job schemas that refer to `Failure` read with it in the clients (src/client/answer-checks.ts).
 */
export const ReadFailureSchema = Type.Object(
  {
    ...FailureSchema.properties,
    class: Type.String(),
    owner: Type.String(),
    details: Type.Object(FailureDetailsSchema.properties),
  },
  { $id: 'Failure' },
);
export type ReadFailure = Static<typeof ReadFailureSchema>;

function nullable<T extends Parameters<typeof Type.Union>[0][number]>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

/** A failure of a class, its owner filled in from the class: the only way one is made. */
export function failure(
  cls: FailureClass,
  message: string,
  step: string | null = null,
  details: FailureDetails = {},
): Failure {
  return { class: cls, owner: failureClasses[cls].owner, step, message, details };
}

/** A value from another process or the database, checked against the contract; undefined when it does not fit. */
export function parseFailure(value: unknown): Failure | undefined {
  return Value.Check(FailureSchema, value) && failureClasses[value.class].owner === value.owner
    ? value
    : undefined;
}

export function isFailureClass(name: string): name is FailureClass {
  return Object.hasOwn(failureClasses, name);
}

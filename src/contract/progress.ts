// A building job's progress, as the jobs module stores it and the API, the event stream, the pages and the CLI
// show it: defined once here, imported by the service and the clients alike.
import { type Static, Type } from '@sinclair/typebox';
import { StepNameSchema } from '../builder/events.ts';
import { stepNames } from '../builder/steps.ts';

export const JobProgressSchema = Type.Object(
  {
    step: StepNameSchema,
    /** 1-based position of `step` in `steps`. */
    index: Type.Integer({ minimum: 1 }),
    total: Type.Integer({ minimum: 1 }),
    steps: Type.Array(StepNameSchema, {
      minItems: 1,
      maxItems: stepNames.length,
      description: 'the steps this build runs, in order',
    }),
    step_started: Type.String({ format: 'date-time', description: 'when the running step began' }),
    packages: Type.Optional(
      Type.Object(
        { done: Type.Integer({ minimum: 0 }), total: Type.Integer({ minimum: 0 }) },
        { description: 'packages installed so far, while a step installs packages' },
      ),
    ),
    bytes: Type.Optional(
      Type.Object(
        { done: Type.Integer({ minimum: 0 }), total: Type.Integer({ minimum: 0 }) },
        {
          description:
            'bytes of the running step done so far, where the builder knows the total (packages downloaded, the image hashed)',
        },
      ),
    ),
  },
  { $id: 'JobProgress' },
);
export type JobProgress = Static<typeof JobProgressSchema>;

// When a job should start and end, estimated from the recent builds of similar jobs and the queue ahead of it:
// defined once here, imported by the service and the clients alike.
import { type Static, Type } from '@sinclair/typebox';

export const JobEtaSchema = Type.Object(
  {
    start: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'estimated start while the job waits; null once it builds',
    }),
    end: Type.String({ format: 'date-time', description: 'estimated end of the build' }),
    build_seconds: Type.Integer({ description: 'the typical build time of similar jobs used' }),
    samples: Type.Integer({ description: 'how many recent builds that typical time comes from' }),
  },
  { $id: 'JobEta', description: 'an estimate; null when there is no finished build to go by or no worker' },
);
export type JobEta = Static<typeof JobEtaSchema>;

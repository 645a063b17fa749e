import { type Static, Type } from '@sinclair/typebox';

/** The stats page's question and answer, declared once: the route validates with them, the web client reads by them. */

export const STATS_DEFAULT_DAYS = 30;
/** A year and a day: enough to compare with last year, and a bounded scan of the jobs. */
export const STATS_MAX_DAYS = 366;

export const StatsQuery = Type.Object(
  {
    days: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: STATS_MAX_DAYS,
        default: STATS_DEFAULT_DAYS,
        description: 'whole UTC days, today included: the jobs submitted since',
      }),
    ),
  },
  { additionalProperties: false },
);
export type StatsQuery = Static<typeof StatsQuery>;

const seconds = Type.Union([Type.Number(), Type.Null()]);
const Spread = {
  count: Type.Integer({ description: 'how many were measured' }),
  median: seconds,
  p90: Type.Union([Type.Number(), Type.Null()], { description: 'the 90th percentile (nearest rank)' }),
};
const outcomes = { done: Type.Integer(), failed: Type.Integer(), cancelled: Type.Integer() };

export const StatsSchema = Type.Object({
  scope: Type.Union([Type.Literal('all'), Type.Literal('own')], {
    description: "all: every user's jobs (an admin); own: the caller's",
  }),
  days: Type.Integer(),
  since: Type.String({ format: 'date-time', description: 'midnight UTC of the first day' }),
  per_day: Type.Array(Type.Object({ day: Type.String({ format: 'date' }), ...outcomes }), {
    description: 'every day of the window by the day the jobs ended, oldest first',
  }),
  totals: Type.Object(outcomes),
  success_rate: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
    description: 'done / (done + failed); null before any build ended',
  }),
  build_seconds: Type.Array(Type.Object({ type: Type.String(), ...Spread }), {
    description: 'successful builds, started to finished, by image type',
  }),
  queue_wait_seconds: Type.Object(Spread, { description: 'submitted to started' }),
  failure_classes: Type.Array(Type.Object({ class: Type.String(), jobs: Type.Integer() })),
  busiest_queues: Type.Array(
    Type.Object({ queue: Type.String(), jobs: Type.Integer(), waiting: Type.Integer() }),
  ),
});
export type Stats = Static<typeof StatsSchema>;

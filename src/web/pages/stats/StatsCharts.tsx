import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Stats } from '../../../client/api-client.ts';
import { formatDuration } from '../../app/format.ts';
import { ChartFigure } from './ChartFigure.tsx';

/** The status colours of styles.css, which SVG attributes cannot read from its variables. */
const COLOURS = {
  done: '#1e7a3c',
  failed: '#b3261e',
  cancelled: '#8a8f98',
  median: '#1f5f8b',
  p90: '#8fb3d1',
};
const HEIGHT = 260;
const axisTick = { fontSize: 12 };
const seconds = (value: unknown) => formatDuration(Number(value));
const count = (value: unknown) => String(value);
/** Room for the names on a bar chart lying down; narrow screens get less. */
const categoryWidth = () => Math.min(160, Math.round(window.innerWidth / 3));
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function BuildsPerDay({ stats }: { stats: Stats }) {
  const { totals } = stats;
  const busiest = stats.per_day.reduce(
    (best, day) => {
      const sum = day.done + day.failed + day.cancelled;
      return sum > best.sum ? { day: day.day, sum } : best;
    },
    { day: '', sum: 0 },
  );
  return (
    <ChartFigure
      name="per-day"
      title="Builds per day"
      summary={
        `Over ${plural(stats.days, 'day')}: ${totals.done} done, ${totals.failed} failed, ${totals.cancelled} cancelled` +
        (busiest.sum > 0 ? `; the busiest day was ${busiest.day} with ${plural(busiest.sum, 'build')}.` : '.')
      }
      rows={stats.per_day}
      columns={[
        { label: 'Day', value: (row) => row.day },
        { label: 'Done', value: (row) => row.done },
        { label: 'Failed', value: (row) => row.failed },
        { label: 'Cancelled', value: (row) => row.cancelled },
      ]}
      empty="No days in the window."
    >
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <BarChart
          accessibilityLayer={false}
          data={stats.per_day}
          margin={{ top: 8, right: 8, bottom: 0, left: -16 }}
        >
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis
            dataKey="day"
            tick={axisTick}
            tickFormatter={(day: string) => day.slice(5)}
            minTickGap={12}
          />
          <YAxis allowDecimals={false} tick={axisTick} />
          <Tooltip />
          <Legend itemSorter={null} />
          <Bar dataKey="done" name="Done" stackId="day" fill={COLOURS.done} isAnimationActive={false} />
          <Bar dataKey="failed" name="Failed" stackId="day" fill={COLOURS.failed} isAnimationActive={false} />
          <Bar
            dataKey="cancelled"
            name="Cancelled"
            stackId="day"
            fill={COLOURS.cancelled}
            isAnimationActive={false}
          />
        </BarChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}

export function BuildTimes({ stats }: { stats: Stats }) {
  const rows = stats.build_seconds;
  return (
    <ChartFigure
      name="build-time"
      title="Build time by image type"
      summary={`Successful builds, median and 90th percentile: ${rows
        .map((row) => `${row.type} ${spread(row.median, row.p90)} over ${plural(row.count, 'build')}`)
        .join('; ')}.`}
      rows={rows}
      columns={[
        { label: 'Image type', value: (row) => row.type },
        { label: 'Builds', value: (row) => row.count },
        { label: 'Median', value: (row) => duration(row.median) },
        { label: '90th percentile', value: (row) => duration(row.p90) },
      ]}
      empty="No successful build in the window."
    >
      <ResponsiveContainer width="100%" height={Math.max(120, 60 + rows.length * 48)}>
        <BarChart
          accessibilityLayer={false}
          data={rows}
          layout="vertical"
          margin={{ top: 8, right: 16, bottom: 0, left: 0 }}
        >
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" tick={axisTick} tickFormatter={seconds} />
          <YAxis type="category" dataKey="type" tick={axisTick} width={categoryWidth()} />
          <Tooltip formatter={seconds} />
          <Legend itemSorter={null} />
          <Bar dataKey="median" name="Median" fill={COLOURS.median} isAnimationActive={false} />
          <Bar dataKey="p90" name="90th percentile" fill={COLOURS.p90} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}

/** A bar chart lying down, of a count by name: the failure classes, the queues. */
function CountBars<Row extends { jobs: number }>(props: {
  name: string;
  title: string;
  rows: Row[];
  label: keyof Row & string;
  labelTitle: string;
  fill: string;
  empty: string;
  summaryLead: string;
}) {
  const { rows, label } = props;
  return (
    <ChartFigure
      name={props.name}
      title={props.title}
      summary={`${props.summaryLead}: ${rows.map((row) => `${String(row[label])} ${row.jobs}`).join(', ')}.`}
      rows={rows}
      columns={[
        { label: props.labelTitle, value: (row) => String(row[label]) },
        { label: 'Jobs', value: (row) => row.jobs },
      ]}
      empty={props.empty}
    >
      <ResponsiveContainer width="100%" height={Math.max(120, 50 + rows.length * 36)}>
        <BarChart
          accessibilityLayer={false}
          data={rows}
          layout="vertical"
          margin={{ top: 8, right: 16, bottom: 0, left: 0 }}
        >
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" allowDecimals={false} tick={axisTick} />
          <YAxis
            type="category"
            dataKey={(row: Row) => String(row[label])}
            tick={axisTick}
            width={categoryWidth()}
          />
          <Tooltip formatter={count} />
          <Bar dataKey="jobs" name="Jobs" fill={props.fill} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}

export function FailureClasses({ stats }: { stats: Stats }) {
  return (
    <CountBars
      name="failures"
      title="Failures by class"
      rows={stats.failure_classes}
      label="class"
      labelTitle="Failure class"
      fill={COLOURS.failed}
      empty="No build failed in the window."
      summaryLead="Failed jobs by class"
    />
  );
}

export function BusiestQueues({ stats }: { stats: Stats }) {
  return (
    <CountBars
      name="queues"
      title="Busiest queues"
      rows={stats.busiest_queues}
      label="queue"
      labelTitle="Queue"
      fill={COLOURS.median}
      empty="No job was submitted in the window."
      summaryLead="Jobs submitted by queue"
    />
  );
}

export const duration = (value: number | null) => (value === null ? '–' : formatDuration(value));
export const spread = (median: number | null, p90: number | null) =>
  `${duration(median)} (90%: ${duration(p90)})`;

import type { ChangeEvent } from 'react';
import { api } from '../../app/api.ts';
import { navigate, useLocation, withQuery } from '../../app/router.tsx';
import { useResource } from '../../app/use-resource.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import { BuildsPerDay, BuildTimes, BusiestQueues, duration, FailureClasses, spread } from './StatsCharts.tsx';

/** The windows offered; the API takes any from 1 to 366 days, and the address may ask for one of those. */
const WINDOWS = [7, 30, 90, 365];
const DEFAULT_WINDOW = 30;

/** Stats at a glance: an admin's cover every job, anyone else's their own. Default export for React.lazy. */
export default function StatsPage() {
  const { query } = useLocation();
  const asked = Number(query.get('days'));
  const days = Number.isInteger(asked) && asked > 0 ? asked : DEFAULT_WINDOW;
  const stats = useResource(() => api.stats({ days }), String(days), { pollMs: 60_000 });
  const choose = (event: ChangeEvent<HTMLSelectElement>) =>
    navigate(withQuery('stats/', { days: event.target.value }), { replace: true });
  const data = stats.data;
  const options = WINDOWS.includes(days) ? WINDOWS : [...WINDOWS, days].sort((a, b) => a - b);

  return (
    <>
      <PageTitle title="Stats">Stats</PageTitle>
      <div className="filters">
        <label>
          Window{' '}
          <select value={days} onChange={choose}>
            {options.map((option) => (
              <option key={option} value={option}>
                last {option} days
              </option>
            ))}
          </select>
        </label>
        {data && (
          <p className="hint">
            {data.scope === 'all' ? 'Every user’s jobs' : 'Your jobs'} submitted since{' '}
            {data.since.slice(0, 10)} (UTC).
          </p>
        )}
      </div>
      <ErrorNotice error={stats.error} />
      {data ? (
        <>
          <dl className="stat-tiles">
            <div>
              <dt>Success rate</dt>
              <dd>{data.success_rate === null ? '–' : `${Math.round(data.success_rate * 100)} %`}</dd>
            </div>
            <div>
              <dt>Builds done</dt>
              <dd>{data.totals.done}</dd>
            </div>
            <div>
              <dt>Failed</dt>
              <dd>{data.totals.failed}</dd>
            </div>
            <div>
              <dt>Cancelled</dt>
              <dd>{data.totals.cancelled}</dd>
            </div>
            <div>
              <dt>Queue wait, median</dt>
              <dd>{duration(data.queue_wait_seconds.median)}</dd>
            </div>
            <div>
              <dt>Queue wait, 90th percentile</dt>
              <dd>{duration(data.queue_wait_seconds.p90)}</dd>
            </div>
          </dl>
          <p className="hint">
            Success rate: done of done and failed; a cancel counts as neither. Queue wait: from submission to
            the start of the build ({spread(data.queue_wait_seconds.median, data.queue_wait_seconds.p90)} over{' '}
            {data.queue_wait_seconds.count} jobs).
          </p>
          <div className="charts">
            <BuildsPerDay stats={data} />
            <BuildTimes stats={data} />
            <FailureClasses stats={data} />
            <BusiestQueues stats={data} />
          </div>
        </>
      ) : (
        !stats.error && <p>Loading…</p>
      )}
    </>
  );
}

import { api } from '../../app/api.ts';
import { useLocation, withQuery } from '../../app/router.tsx';
import { queuePath } from '../../app/routes.ts';
import { useUser } from '../../app/session.ts';
import { useJobPage } from '../../app/use-job-page.ts';
import { useResource } from '../../app/use-resource.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { filtersOf, JobFilters } from '../../components/JobFilters.tsx';
import { JobTable } from '../../components/JobTable.tsx';
import { Pager, pageRequest } from '../../components/Pager.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import { FirstBuildPrompt } from './FirstBuildPrompt.tsx';
import { QueueTabs } from './QueueTabs.tsx';

/** As the original: 30 jobs a page. */
const PAGE_SIZE = 30;

export function QueuePage({ queue, mine }: { queue: string | undefined; mine: boolean }) {
  const user = useUser();
  const { query } = useLocation();
  // The queue is the path's, and "Mine" is its own owner; the query holds the rest.
  const { queue: _queue, ...filters } = filtersOf(query);
  if (mine) delete filters.owner;
  const { page, ...position } = pageRequest(query, PAGE_SIZE);
  const path = queuePath({ queue, mine });
  const jobs = useJobPage({
    ...filters,
    queue,
    ...(mine ? { owner: 'mine' } : {}),
    ...position,
    limit: PAGE_SIZE,
  });
  const queues = useResource(() => api.queues(), 'queues');

  const title = mine
    ? `${user.username}'s images${queue ? ` in ${queue}` : ''}`
    : queue
      ? `${queue} image creation queue`
      : 'All image creation queues';
  // No job at all where every job would show: a newcomer's first visit, not a search that found nothing.
  const isUnfiltered = queue === undefined && query.size === 0;
  const waiting = jobs.data?.jobs.some((job) => job.queue_position !== null) ?? false;
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      <QueueTabs queues={queues.data?.map((entry) => entry.name) ?? []} current={{ queue, mine }} />
      <JobFilters key={query.toString()} path={path} filters={filters} byOwner={!mine} />
      <ErrorNotice error={jobs.error ?? queues.error} />
      {queue === undefined && waiting && (
        <p className="hint" data-positions-note>
          Every queue is listed here, and each builds on its own: “#2 in web” is a waiting job’s place in its
          own queue, so several jobs can be #1.
        </p>
      )}
      {jobs.data ? (
        <>
          {jobs.data.jobs.length === 0 && isUnfiltered ? (
            <FirstBuildPrompt />
          ) : (
            <JobTable
              jobs={jobs.data.jobs}
              severalQueues={queue === undefined}
              filterLink={(key, value) =>
                key === 'queue'
                  ? withQuery(queuePath({ queue: value, mine }), filters)
                  : withQuery(path, { ...filters, [key]: value })
              }
            />
          )}
          <Pager
            path={path}
            query={filters}
            page={page}
            limit={PAGE_SIZE}
            total={jobs.data.total}
            next={jobs.data.next}
            byCursor={position.before !== undefined}
          />
        </>
      ) : (
        !jobs.error && <p>Loading…</p>
      )}
    </>
  );
}

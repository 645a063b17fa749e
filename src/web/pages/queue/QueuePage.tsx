import { api } from '../../app/api.ts';
import { useLocation } from '../../app/router.tsx';
import { queuePath } from '../../app/routes.ts';
import { useUser } from '../../app/session.ts';
import { useJobPage } from '../../app/use-job-page.ts';
import { useResource } from '../../app/use-resource.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { filtersOf, JobFilters } from '../../components/JobFilters.tsx';
import { JobTable } from '../../components/JobTable.tsx';
import { Pager } from '../../components/Pager.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import { FirstBuildPrompt } from './FirstBuildPrompt.tsx';
import { QueueTabs } from './QueueTabs.tsx';

/** As the original: 30 jobs a page. */
const PAGE_SIZE = 30;

export function QueuePage({ queue, mine }: { queue: string | undefined; mine: boolean }) {
  const user = useUser();
  const { query } = useLocation();
  const { status, text, tag } = filtersOf(query);
  const before = query.get('before') ?? undefined;
  const path = queuePath({ queue, mine });
  const page = useJobPage({
    queue,
    owner: mine ? 'mine' : undefined,
    status,
    text,
    tag,
    before,
    limit: PAGE_SIZE,
  });
  const queues = useResource(() => api.queues(), 'queues');

  // No job at all where every job would show: a newcomer's first visit, not a search that found nothing.
  const isUnfiltered = queue === undefined && !status && !text && !tag && before === undefined;
  const title = mine
    ? `${user.username}'s images${queue ? ` in ${queue}` : ''}`
    : queue
      ? `${queue} image creation queue`
      : 'All image creation queues';
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      <QueueTabs queues={queues.data?.map((entry) => entry.name) ?? []} current={{ queue, mine }} />
      <JobFilters key={query.toString()} path={path} filters={{ status, text, tag }} />
      <ErrorNotice error={page.error ?? queues.error} />
      {page.data ? (
        <>
          {page.data.jobs.length === 0 && isUnfiltered ? (
            <FirstBuildPrompt />
          ) : (
            <JobTable jobs={page.data.jobs} />
          )}
          <Pager
            path={path}
            query={{ status, text, tag }}
            next={page.data.next}
            paged={before !== undefined}
          />
        </>
      ) : (
        !page.error && <p>Loading…</p>
      )}
    </>
  );
}

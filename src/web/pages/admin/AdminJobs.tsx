import { useState } from 'react';
import type { BulkDeleteResult } from '../../../client/api-client.ts';
import { api } from '../../app/api.ts';
import { useLocation, withQuery } from '../../app/router.tsx';
import { jobListQuery, useJobPage } from '../../app/use-job-page.ts';
import { useResource } from '../../app/use-resource.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { type Filters, filtersOf, JobFilters } from '../../components/JobFilters.tsx';
import { JobTable } from '../../components/JobTable.tsx';
import { Pager, pageRequest } from '../../components/Pager.tsx';

const PAGE_SIZE = 50;
const PATH = 'admin/jobs/';
const count = new Intl.NumberFormat('en');

/** What a bulk delete did, whichever way the jobs were chosen; refusals name the job. */
type Outcome = Pick<BulkDeleteResult, 'deleted' | 'refused' | 'refused_count' | 'more'>;

/** Every job, filtered; the selected ones, or every one the filter matches, are deleted with their files. */
export function AdminJobs() {
  const { query } = useLocation();
  const filters = filtersOf(query);
  const { page, ...position } = pageRequest(query, PAGE_SIZE);
  const jobs = useJobPage({ ...filters, ...position, limit: PAGE_SIZE });
  const queues = useResource(() => api.queues(), 'queues');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [outcome, setOutcome] = useState<Outcome>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const toggle = (ids: readonly string[], on: boolean) => {
    const next = new Set(selected);
    for (const id of ids) {
      if (on) next.add(id);
      else next.delete(id);
    }
    setSelected(next);
  };

  const act = async (work: () => Promise<Outcome>) => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await work();
      setOutcome(result);
      setSelected(new Set(result.refused.map((refusal) => refusal.id)));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
      jobs.reload();
    }
  };

  const deleteSelected = () =>
    act(async () => {
      const names = new Map(jobs.data?.jobs.map((job) => [job.id, job.name]));
      const result: Outcome = { deleted: 0, refused: [], refused_count: 0, more: false };
      for (const id of selected) {
        try {
          await api.delete(id);
          result.deleted++;
        } catch (caught) {
          result.refused.push({ id, name: names.get(id) ?? id, message: (caught as Error).message });
          result.refused_count++;
        }
      }
      return result;
    });

  // Counted when asked, so the question states what the filter matches now; jobs submitted later stay.
  const [through, setThrough] = useState<string>();
  const askAll = async (): Promise<string | null> => {
    setError(undefined);
    try {
      const newest = await api.list(jobListQuery({ ...filters, limit: 1 }));
      const [first] = newest.jobs;
      if (!first) {
        setError(new Error('No job matches the filter.'));
        return null;
      }
      setThrough(first.id);
      const { total } = newest;
      const how = total.exact ? count.format(total.count) : `at least ${count.format(total.count)}`;
      return `Delete all ${how} jobs matching ${describe(filters)}, with their files? Pinned and building jobs are kept.`;
    } catch (caught) {
      setError(caught);
      return null;
    }
  };
  const deleteMatching = () =>
    through && act(() => api.deleteMatching({ ...jobListQuery(filters), through }));

  return (
    <>
      <JobFilters
        key={query.toString()}
        path={PATH}
        filters={filters}
        byOwner
        queues={queues.data?.map((queue) => queue.name) ?? []}
      />
      <div className="actions">
        <ConfirmButton
          question={`Delete ${selected.size} selected job${selected.size === 1 ? '' : 's'} and their files?`}
          disabled={busy || selected.size === 0}
          onConfirm={deleteSelected}
        >
          Delete selected
        </ConfirmButton>
        <span className="hint">{selected.size} selected</span>
        <ConfirmButton question={askAll} disabled={busy} onConfirm={deleteMatching}>
          Delete all matching
        </ConfirmButton>
      </div>
      <ErrorNotice error={error} />
      {outcome && <OutcomeNotice outcome={outcome} />}
      <ErrorNotice error={jobs.error} />
      {jobs.data ? (
        <>
          <JobTable
            jobs={jobs.data.jobs}
            selection={{ selected, toggle }}
            severalQueues={filters.queue === undefined}
            filterLink={(key, value) => withQuery(PATH, { ...filters, [key]: value })}
          />
          <Pager
            path={PATH}
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

/** The filter in words, for the question: "every job" when there is none. */
function describe(filters: Filters): string {
  const words = Object.entries(filters).map(([key, value]) => `${key === 'owner' ? 'user' : key} ${value}`);
  return words.length === 0 ? 'no filter (every job)' : words.join(', ');
}

function OutcomeNotice({ outcome }: { outcome: Outcome }) {
  return (
    <div className={`notice ${outcome.refused_count > 0 ? 'error' : 'ok'}`} role="status">
      <p>
        Deleted {count.format(outcome.deleted)} job{outcome.deleted === 1 ? '' : 's'} and their files.
        {outcome.more && ' More match: delete all matching again for the rest.'}
      </p>
      {outcome.refused_count > 0 && (
        <>
          <p>
            Kept {count.format(outcome.refused_count)} job{outcome.refused_count === 1 ? '' : 's'}
            {outcome.refused_count > outcome.refused.length && ` (the first ${outcome.refused.length} below)`}
            :
          </p>
          <ul>
            {outcome.refused.map((refusal) => (
              <li key={refusal.id} data-refused={refusal.name}>
                <strong>{refusal.name}</strong>: {refusal.message.replace(`job ${refusal.id}`, 'the job')}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

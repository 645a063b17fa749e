import { useState } from 'react';
import { api } from '../../app/api.ts';
import { useLocation } from '../../app/router.tsx';
import { useJobPage } from '../../app/use-job-page.ts';
import { useResource } from '../../app/use-resource.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { filtersOf, JobFilters } from '../../components/JobFilters.tsx';
import { JobTable } from '../../components/JobTable.tsx';
import { Pager } from '../../components/Pager.tsx';

const PAGE_SIZE = 50;
const PATH = 'admin/jobs/';

interface BulkResult {
  deleted: number;
  refused: { id: string; message: string }[];
}

/** Every job, filtered; the selected ones are deleted with their files, and each refusal is listed. */
export function AdminJobs() {
  const { query } = useLocation();
  const filters = filtersOf(query);
  const before = query.get('before') ?? undefined;
  const page = useJobPage({ ...filters, before, limit: PAGE_SIZE });
  const queues = useResource(() => api.queues(), 'queues');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [result, setResult] = useState<BulkResult>();
  const [busy, setBusy] = useState(false);

  const toggle = (ids: readonly string[], on: boolean) => {
    const next = new Set(selected);
    for (const id of ids) {
      if (on) next.add(id);
      else next.delete(id);
    }
    setSelected(next);
  };

  const deleteSelected = async () => {
    setBusy(true);
    const outcome: BulkResult = { deleted: 0, refused: [] };
    for (const id of selected) {
      try {
        await api.delete(id);
        outcome.deleted++;
      } catch (error) {
        outcome.refused.push({ id, message: (error as Error).message });
      }
    }
    setResult(outcome);
    setSelected(new Set(outcome.refused.map((refusal) => refusal.id)));
    setBusy(false);
    page.reload();
  };

  return (
    <>
      <JobFilters
        key={query.toString()}
        path={PATH}
        filters={filters}
        extra={{ queues: queues.data?.map((queue) => queue.name) ?? [] }}
      />
      <div className="actions">
        <ConfirmButton
          question={`Delete ${selected.size} job${selected.size === 1 ? '' : 's'} and their files?`}
          disabled={busy || selected.size === 0}
          onConfirm={deleteSelected}
        >
          Delete selected
        </ConfirmButton>
        <span className="hint">{selected.size} selected</span>
      </div>
      {result && (
        <div className={`notice ${result.refused.length > 0 ? 'error' : 'ok'}`} role="status">
          <p>
            Deleted {result.deleted} job{result.deleted === 1 ? '' : 's'} and their files.
          </p>
          {result.refused.map((refusal) => (
            <p key={refusal.id}>Not deleted: {refusal.message}</p>
          ))}
        </div>
      )}
      <ErrorNotice error={page.error} />
      {page.data ? (
        <>
          <JobTable jobs={page.data.jobs} selection={{ selected, toggle }} />
          <Pager path={PATH} query={filters} next={page.data.next} paged={before !== undefined} />
        </>
      ) : (
        !page.error && <p>Loading…</p>
      )}
    </>
  );
}

import { isFinished, type Job } from '../../../client/api-client.ts';
import { api } from '../../app/api.ts';
import { Link, navigate } from '../../app/router.tsx';
import { jobPath } from '../../app/routes.ts';
import { useAction } from '../../app/use-action.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';

/** What the owner or an admin may do with the job in its current state; the server checks the same again. */
export function JobActions({ job, onChanged }: { job: Job; onChanged: () => void }) {
  const { run, busy, error } = useAction(onChanged);
  const cancellable = job.status === 'IN QUEUE' || (job.status === 'BUILDING' && !job.cancel_requested);
  const deletable = !job.pinned && job.status !== 'BUILDING';
  return (
    <>
      <div className="actions">
        {cancellable && (
          <ConfirmButton
            question="Stop this build?"
            disabled={busy}
            onConfirm={() => run(() => api.cancel(job.id))}
          >
            Cancel
          </ConfirmButton>
        )}
        {isFinished(job.status) && (
          <button
            type="button"
            disabled={busy}
            onClick={() => run(async () => navigate(jobPath((await api.retry(job.id)).id)))}
          >
            Retry
          </button>
        )}
        <Link className="button secondary" to={`submit/?from=${encodeURIComponent(job.id)}`}>
          Edit and resubmit
        </Link>
        <button
          type="button"
          className="secondary"
          disabled={busy}
          onClick={() => run(() => api.patch(job.id, { pinned: !job.pinned }))}
        >
          {job.pinned ? 'Unpin' : 'Pin'}
        </button>
        {deletable && (
          <ConfirmButton
            question="Delete this job and its files?"
            disabled={busy}
            onConfirm={() =>
              run(async () => {
                await api.delete(job.id);
                navigate('queue/', { replace: true });
              })
            }
          >
            Delete
          </ConfirmButton>
        )}
        {job.pinned && <span className="hint">Pinned: kept until unpinned, and cannot be deleted.</span>}
      </div>
      <ErrorNotice error={error} />
    </>
  );
}

import { api } from '../../app/api.ts';
import { formatDate } from '../../app/format.ts';
import { useResource } from '../../app/use-resource.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';

const REFRESH_MS = 5000;

/** Who builds now, and what each queue can do with them; read again every few seconds. */
export function AdminWorkers() {
  const workers = useResource(() => api.workers(), 'workers', { pollMs: REFRESH_MS });
  const queues = useResource(() => api.queueStates(), 'queue-states', { pollMs: REFRESH_MS });
  return (
    <>
      <ErrorNotice error={workers.error ?? queues.error} />
      <h2>Workers</h2>
      {workers.data?.length === 0 ? (
        <p className="notice warning">No worker is running: no job will start.</p>
      ) : (
        <div className="table-wrap">
          <table className="data cards" aria-label="Workers">
            <thead>
              <tr>
                <th>Worker</th>
                <th>Host</th>
                <th>Busy / slots</th>
                <th>Queues</th>
                <th>Version</th>
                <th>Last heartbeat</th>
              </tr>
            </thead>
            <tbody>
              {workers.data?.map((worker) => (
                <tr key={worker.id} data-worker-id={worker.id}>
                  <td data-label="Worker" className="mono">
                    {worker.id}
                  </td>
                  <td data-label="Host">{worker.host}</td>
                  <td data-label="Busy / slots">
                    {worker.busy} / {worker.slots}
                  </td>
                  <td data-label="Queues">{worker.queues.join(', ')}</td>
                  <td data-label="Version">{worker.version}</td>
                  <td data-label="Last heartbeat">{formatDate(worker.heartbeat)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Queues</h2>
      <div className="table-wrap">
        <table className="data cards" aria-label="Queue states">
          <thead>
            <tr>
              <th>Queue</th>
              <th>Builds</th>
              <th>Workers</th>
              <th>Waiting</th>
              <th>Building</th>
            </tr>
          </thead>
          <tbody>
            {queues.data?.map((queue) => (
              <tr key={queue.name} data-queue={queue.name}>
                <td data-label="Queue" className="mono">
                  {queue.name}
                </td>
                <td data-label="Builds">{queue.starts_builds ? 'on' : 'off'}</td>
                <td data-label="Workers">{queue.workers.length === 0 ? 'none' : queue.workers.length}</td>
                <td data-label="Waiting">{queue.waiting}</td>
                <td data-label="Building">{queue.building}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

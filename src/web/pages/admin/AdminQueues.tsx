import { type FormEvent, useState } from 'react';
import type { Queue } from '../../../client/api-client.ts';
import { api } from '../../app/api.ts';
import { Link } from '../../app/router.tsx';
import { useAction } from '../../app/use-action.ts';
import { useResource } from '../../app/use-resource.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';

export function AdminQueues() {
  const queues = useResource(() => api.queues(), 'queues');
  return (
    <>
      <ErrorNotice error={queues.error} />
      <div className="table-wrap">
        <table className="data cards">
          <thead>
            <tr>
              <th>Queue</th>
              <th>Description</th>
              <th>Starts builds</th>
              <th>Open to</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {queues.data?.map((queue) => (
              <QueueRow key={queue.name} queue={queue} onChanged={queues.reload} />
            ))}
          </tbody>
        </table>
      </div>
      <AddQueue onAdded={queues.reload} />
    </>
  );
}

function QueueRow({ queue, onChanged }: { queue: Queue; onChanged: () => void }) {
  const [description, setDescription] = useState(queue.description);
  const [startsBuilds, setStartsBuilds] = useState(queue.starts_builds);
  const { run, busy, error } = useAction(onChanged);
  return (
    <tr>
      <td data-label="Queue" className="mono">
        {queue.name}
      </td>
      <td data-label="Description">
        <input
          aria-label={`Description of ${queue.name}`}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
      </td>
      <td data-label="Starts builds">
        <input
          type="checkbox"
          aria-label={`${queue.name} starts builds`}
          checked={startsBuilds}
          onChange={(event) => setStartsBuilds(event.target.checked)}
        />
      </td>
      <td data-label="Open to">
        {queue.groups.length === 0 ? (
          'everyone'
        ) : (
          <Link to="admin/groups/" title="Groups decide who may submit to a queue">
            members of {queue.groups.join(', ')}
          </Link>
        )}
      </td>
      <td data-label="Actions">
        <div className="actions">
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => run(() => api.putQueue(queue.name, { description, starts_builds: startsBuilds }))}
          >
            Save
          </button>
          <ConfirmButton
            question={`Delete queue ${queue.name}?`}
            disabled={busy}
            onConfirm={() => run(() => api.removeQueue(queue.name))}
          >
            Delete
          </ConfirmButton>
        </div>
        <ErrorNotice error={error} />
      </td>
    </tr>
  );
}

function AddQueue({ onAdded }: { onAdded: () => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [startsBuilds, setStartsBuilds] = useState(true);
  const { run, busy, error } = useAction(onAdded);
  const add = (event: FormEvent) => {
    event.preventDefault();
    run(async () => {
      await api.putQueue(name, { description, starts_builds: startsBuilds });
      setName('');
      setDescription('');
    });
  };
  return (
    <form className="panel" onSubmit={add}>
      <h2>Add a queue</h2>
      <div className="grid2">
        <div>
          <label htmlFor="new-queue-name">Name</label>
          <input
            id="new-queue-name"
            required
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </div>
        <div>
          <label htmlFor="new-queue-description">Description</label>
          <input
            id="new-queue-description"
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        </div>
      </div>
      <label className="inline">
        <input
          type="checkbox"
          checked={startsBuilds}
          onChange={(event) => setStartsBuilds(event.target.checked)}
        />
        Starts builds (off: only records jobs built elsewhere)
      </label>
      <div className="actions">
        <button type="submit" disabled={busy}>
          Add queue
        </button>
      </div>
      <ErrorNotice error={error} />
    </form>
  );
}

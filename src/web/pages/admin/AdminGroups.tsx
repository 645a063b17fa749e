import { type FormEvent, useState } from 'react';
import type { Group } from '../../../client/api-client.ts';
import { api } from '../../app/api.ts';
import { splitList } from '../../app/format.ts';
import { useAction } from '../../app/use-action.ts';
import { useResource } from '../../app/use-resource.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';

/** Groups say who may submit to which queue: a queue some group names is theirs (and the admins'); others are open. */
export function AdminGroups() {
  const groups = useResource(() => api.groups(), 'groups');
  const queues = useResource(() => api.queues(), 'queues');
  const names = queues.data?.map((queue) => queue.name) ?? [];
  const restricted = new Set(groups.data?.flatMap((group) => group.queues));
  return (
    <>
      <p className="hint">
        A group opens the queues ticked for it to its members only. A queue no group ticks is open to every
        user; admins may submit to every queue.
        {groups.data &&
          queues.data &&
          ` Open to everyone now: ${names.filter((queue) => !restricted.has(queue)).join(', ') || 'no queue'}.`}
      </p>
      <ErrorNotice error={groups.error ?? queues.error} />
      {groups.data?.length === 0 && <p>No groups yet.</p>}
      {groups.data?.map((group) => (
        <GroupForm key={group.name} group={group} queues={names} onChanged={groups.reload} />
      ))}
      <GroupForm queues={names} onChanged={groups.reload} />
    </>
  );
}

/** One group to change, or, without `group`, a new one. */
function GroupForm({
  group,
  queues,
  onChanged,
}: {
  group?: Group;
  queues: readonly string[];
  onChanged: () => void;
}) {
  const [name, setName] = useState(group?.name ?? '');
  const [description, setDescription] = useState(group?.description ?? '');
  const [members, setMembers] = useState(group?.members.join(', ') ?? '');
  const [opened, setOpened] = useState<ReadonlySet<string>>(new Set(group?.queues));
  const { run, busy, error } = useAction(onChanged);
  const id = `group-${group?.name ?? 'new'}`;
  const save = (event: FormEvent) => {
    event.preventDefault();
    run(async () => {
      await api.putGroup(name, { description, members: splitList(members), queues: [...opened] });
      if (!group) {
        setName('');
        setDescription('');
        setMembers('');
        setOpened(new Set());
      }
    });
  };
  return (
    <form className="panel" onSubmit={save} aria-label={group ? `Group ${group.name}` : 'Add a group'}>
      <h2>{group ? group.name : 'Add a group'}</h2>
      <div className="grid2">
        {!group && (
          <div>
            <label htmlFor={`${id}-name`}>Name</label>
            <input
              id={`${id}-name`}
              required
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          </div>
        )}
        <div>
          <label htmlFor={`${id}-description`}>Description</label>
          <input
            id={`${id}-description`}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        </div>
        <div>
          <label htmlFor={`${id}-members`}>Members (comma-separated user names)</label>
          <input id={`${id}-members`} value={members} onChange={(event) => setMembers(event.target.value)} />
        </div>
      </div>
      <fieldset className="choices">
        <legend>May submit to</legend>
        {queues.map((queue) => (
          <label key={queue}>
            <input
              type="checkbox"
              checked={opened.has(queue)}
              onChange={(event) => {
                const next = new Set(opened);
                if (event.target.checked) next.add(queue);
                else next.delete(queue);
                setOpened(next);
              }}
            />{' '}
            {queue}
          </label>
        ))}
      </fieldset>
      <div className="actions">
        <button type="submit" disabled={busy}>
          {group ? 'Save' : 'Add group'}
        </button>
        {group && (
          <ConfirmButton
            question={`Delete group ${group.name}?`}
            disabled={busy}
            onConfirm={() => run(() => api.removeGroup(group.name))}
          >
            Delete
          </ConfirmButton>
        )}
      </div>
      <ErrorNotice error={error} />
    </form>
  );
}

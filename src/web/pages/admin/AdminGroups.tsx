import { type FormEvent, useState } from 'react';
import type { Group } from '../../../client/api-client.ts';
import { api } from '../../app/api.ts';
import { splitList } from '../../app/format.ts';
import { useAction } from '../../app/use-action.ts';
import { useResource } from '../../app/use-resource.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';

export function AdminGroups() {
  const groups = useResource(() => api.groups(), 'groups');
  return (
    <>
      <ErrorNotice error={groups.error} />
      {groups.data?.length === 0 && <p>No groups yet.</p>}
      {groups.data?.map((group) => (
        <GroupForm key={group.name} group={group} onChanged={groups.reload} />
      ))}
      <GroupForm onChanged={groups.reload} />
    </>
  );
}

/** One group to change, or, without `group`, a new one. */
function GroupForm({ group, onChanged }: { group?: Group; onChanged: () => void }) {
  const [name, setName] = useState(group?.name ?? '');
  const [description, setDescription] = useState(group?.description ?? '');
  const [members, setMembers] = useState(group?.members.join(', ') ?? '');
  const { run, busy, error } = useAction(onChanged);
  const id = `group-${group?.name ?? 'new'}`;
  const save = (event: FormEvent) => {
    event.preventDefault();
    run(async () => {
      await api.putGroup(name, { description, members: splitList(members) });
      if (!group) {
        setName('');
        setDescription('');
        setMembers('');
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

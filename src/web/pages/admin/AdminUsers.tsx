import { type FormEvent, useState } from 'react';
import type { User } from '../../../client/api-client.ts';
import { api } from '../../app/api.ts';
import { formatDate } from '../../app/format.ts';
import { useUser } from '../../app/session.ts';
import { useAction } from '../../app/use-action.ts';
import { useResource } from '../../app/use-resource.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';

export function AdminUsers() {
  const users = useResource(() => api.users(), 'users');
  return (
    <>
      <ErrorNotice error={users.error} />
      <div className="table-wrap">
        <table className="data cards">
          <thead>
            <tr>
              <th>User</th>
              <th>E-mail</th>
              <th>Groups</th>
              <th>Since</th>
              <th>Password</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.data?.map((user) => (
              <UserRow key={user.username} user={user} onChanged={users.reload} />
            ))}
          </tbody>
        </table>
      </div>
      <AddUser onAdded={users.reload} />
    </>
  );
}

function UserRow({ user, onChanged }: { user: User; onChanged: () => void }) {
  const me = useUser();
  const [email, setEmail] = useState(user.email ?? '');
  const [password, setPassword] = useState('');
  const [revokeTokens, setRevokeTokens] = useState(false);
  const { run, busy, error } = useAction(onChanged);
  const change = (changes: Parameters<typeof api.changeUser>[1]) => () =>
    run(() => api.changeUser(user.username, changes));
  return (
    <tr data-username={user.username}>
      <td data-label="User">
        {user.username}
        {user.admin && <span className="tag">admin</span>}
      </td>
      <td data-label="E-mail">
        <div className="actions">
          <input
            type="email"
            aria-label={`E-mail of ${user.username}`}
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={change({ email: email || null })}
          >
            Save
          </button>
        </div>
      </td>
      <td data-label="Groups">{user.groups.join(', ') || '—'}</td>
      <td data-label="Since">{formatDate(user.created)}</td>
      <td data-label="Password">
        {user.ldap ? (
          <span className="hint">in LDAP, where it is changed</span>
        ) : (
          <>
            {/* A form of its own: browsers expect a password field in one, and Enter resets. */}
            <form
              className="actions"
              onSubmit={(event) => {
                event.preventDefault();
                void run(() => api.changeUser(user.username, { password, revoke_tokens: revokeTokens })).then(
                  () => {
                    setPassword('');
                    setRevokeTokens(false);
                  },
                );
              }}
            >
              <input
                type="password"
                autoComplete="new-password"
                aria-label={`New password for ${user.username}`}
                value={password}
                onChange={(event) => setPassword(event.target.value)}
              />
              <button type="submit" className="secondary" disabled={busy || password === ''}>
                Reset
              </button>
            </form>
            <label className="inline">
              <input
                type="checkbox"
                checked={revokeTokens}
                onChange={(event) => setRevokeTokens(event.target.checked)}
              />
              and revoke their tokens
            </label>
          </>
        )}
      </td>
      <td data-label="Actions">
        <div className="actions">
          {user.username !== me.username && (
            <>
              <button
                type="button"
                className="secondary"
                disabled={busy}
                onClick={change({ admin: !user.admin })}
              >
                {user.admin ? 'Remove admin' : 'Make admin'}
              </button>
              <ConfirmButton
                question={`Delete ${user.username}? Their jobs stay.`}
                disabled={busy}
                onConfirm={() => run(() => api.removeUser(user.username))}
              >
                Delete
              </ConfirmButton>
            </>
          )}
        </div>
        <ErrorNotice error={error} />
      </td>
    </tr>
  );
}

function AddUser({ onAdded }: { onAdded: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [email, setEmail] = useState('');
  const [admin, setAdmin] = useState(false);
  const { run, busy, error } = useAction(onAdded);
  const add = (event: FormEvent) => {
    event.preventDefault();
    run(async () => {
      await api.addUser({ username, password, email: email || null, admin });
      setUsername('');
      setPassword('');
      setEmail('');
      setAdmin(false);
    });
  };
  return (
    <form className="panel" onSubmit={add}>
      <h2>Add a user</h2>
      <div className="grid2">
        <div>
          <label htmlFor="new-user-name">User name</label>
          <input
            id="new-user-name"
            required
            autoComplete="off"
            value={username}
            onChange={(event) => setUsername(event.target.value)}
          />
        </div>
        <div>
          <label htmlFor="new-user-password">Password</label>
          <input
            id="new-user-password"
            type="password"
            required
            autoComplete="new-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        <div>
          <label htmlFor="new-user-email">E-mail</label>
          <input
            id="new-user-email"
            type="email"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
      </div>
      <label className="inline">
        <input type="checkbox" checked={admin} onChange={(event) => setAdmin(event.target.checked)} />
        Admin
      </label>
      <div className="actions">
        <button type="submit" disabled={busy}>
          Add user
        </button>
      </div>
      <ErrorNotice error={error} />
    </form>
  );
}

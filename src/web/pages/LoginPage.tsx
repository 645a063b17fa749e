import { type FormEvent, useState } from 'react';
import type { Session } from '../../client/api-client.ts';
import { api } from '../app/api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { PageTitle } from '../components/PageTitle.tsx';

export function LoginPage({ onLogin }: { onLogin: (session: Session) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const logIn = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      onLogin(await api.startSession({ username, password }));
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <form className="panel login" onSubmit={logIn}>
      <PageTitle title="Log in">Log in to IMG</PageTitle>
      <ErrorNotice error={error} offerLogin={false} />
      <label htmlFor="login-username">User name</label>
      <input
        id="login-username"
        name="username"
        autoComplete="username"
        required
        value={username}
        onChange={(event) => setUsername(event.target.value)}
      />
      <label htmlFor="login-password">Password</label>
      <input
        id="login-password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(event) => setPassword(event.target.value)}
      />
      <div className="actions">
        <button type="submit" disabled={busy}>
          Log in
        </button>
      </div>
    </form>
  );
}

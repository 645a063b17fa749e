import { type FormEvent, useState } from 'react';
import { api } from '../../app/api.ts';
import { useRefreshSession, useUser } from '../../app/session.ts';
import { useAction } from '../../app/use-action.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';

/** Anyone's own password: the current one is asked for; the server then ends the user's other sessions. */
export function OwnPassword() {
  const user = useUser();
  if (user.ldap) {
    return (
      <section className="panel">
        <h2>Your password</h2>
        <p className="notice info">
          Your password lives in your organisation's LDAP directory, and IMG keeps none: change it there (or
          ask whoever runs the directory). The new one works here at your next login.
        </p>
      </section>
    );
  }
  return <PasswordForm />;
}

function PasswordForm() {
  const refreshSession = useRefreshSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [revokeTokens, setRevokeTokens] = useState(false);
  const [done, setDone] = useState<{ revoked: boolean }>();
  const { run, busy, error } = useAction();
  const mismatch = again !== '' && again !== next;
  const change = (event: FormEvent) => {
    event.preventDefault();
    if (mismatch) return;
    setDone(undefined);
    run(async () => {
      await api.changePassword({
        current_password: current,
        new_password: next,
        revoke_tokens: revokeTokens,
      });
      setDone({ revoked: revokeTokens });
      // The default-password banner goes once the server says so.
      refreshSession();
      setCurrent('');
      setNext('');
      setAgain('');
      setRevokeTokens(false);
    });
  };
  return (
    <form className="panel" onSubmit={change}>
      <h2>Change your password</h2>
      <label htmlFor="current-password">Current password</label>
      <input
        id="current-password"
        type="password"
        required
        autoComplete="current-password"
        value={current}
        onChange={(event) => setCurrent(event.target.value)}
      />
      <div className="grid2">
        <div>
          <label htmlFor="new-password">New password</label>
          <input
            id="new-password"
            type="password"
            required
            minLength={6}
            autoComplete="new-password"
            value={next}
            onChange={(event) => setNext(event.target.value)}
          />
        </div>
        <div>
          <label htmlFor="new-password-again">New password again</label>
          <input
            id="new-password-again"
            type="password"
            required
            autoComplete="new-password"
            aria-invalid={mismatch}
            value={again}
            onChange={(event) => setAgain(event.target.value)}
          />
        </div>
      </div>
      {mismatch && <p className="notice error">The two new passwords differ.</p>}
      <label className="inline">
        <input
          type="checkbox"
          checked={revokeTokens}
          onChange={(event) => setRevokeTokens(event.target.checked)}
        />
        Also revoke all my API tokens
      </label>
      <div className="actions">
        <button type="submit" disabled={busy || mismatch}>
          Change password
        </button>
      </div>
      <ErrorNotice error={error} />
      {done && (
        <p className="notice ok" role="status">
          Your password is changed; your sessions elsewhere have ended
          {done.revoked ? ', and your API tokens are revoked' : ''}.
        </p>
      )}
    </form>
  );
}

import { type FormEvent, useState } from 'react';
import { api } from '../../app/api.ts';
import { useAction } from '../../app/use-action.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';

/** Anyone's own password: the current one is asked for; the server then ends the user's other sessions. */
export function OwnPassword() {
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

import { type FormEvent, useState } from 'react';
import type { TokenCreated } from '../../../client/api-client.ts';
import { api } from '../../app/api.ts';
import { formatDate } from '../../app/format.ts';
import { useUser } from '../../app/session.ts';
import { useAction } from '../../app/use-action.ts';
import { useResource } from '../../app/use-resource.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { CopyButton } from '../../components/CopyButton.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';

/** The user's own bearer tokens for scripts: listed by name and expiry without their values, revoked one by one. */
export function AdminTokens() {
  const tokens = useResource(() => api.tokens(), 'tokens');
  const revoke = useAction(tokens.reload);
  return (
    <>
      <ErrorNotice error={tokens.error ?? revoke.error} />
      {tokens.data?.length === 0 && <p>You have no API tokens.</p>}
      {tokens.data && tokens.data.length > 0 && (
        <div className="table-wrap">
          <table className="data cards">
            <thead>
              <tr>
                <th>Name</th>
                <th>Token</th>
                <th>Created</th>
                <th>Last used</th>
                <th>Expires</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((token) => (
                <tr key={token.id} data-token-id={token.id}>
                  <td data-label="Name">{token.name ?? '—'}</td>
                  <td data-label="Token" className="mono">
                    {token.id}
                  </td>
                  <td data-label="Created">{formatDate(token.created)}</td>
                  <td data-label="Last used">{token.last_used ? formatDate(token.last_used) : 'never'}</td>
                  <td data-label="Expires">
                    {token.expires ? formatDate(token.expires) : 'never'}
                    {token.expired && <span className="tag">expired</span>}
                  </td>
                  <td data-label="Actions">
                    <ConfirmButton
                      question="Revoke this token?"
                      disabled={revoke.busy}
                      onConfirm={() => revoke.run(() => api.revokeToken(token.id))}
                    >
                      Revoke
                    </ConfirmButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <NewToken onCreated={tokens.reload} />
    </>
  );
}

/** The API makes a token only for a password, so the page asks for it again. */
function NewToken({ onCreated }: { onCreated: () => void }) {
  const user = useUser();
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [days, setDays] = useState('');
  const [created, setCreated] = useState<TokenCreated>();
  const { run, busy, error } = useAction(onCreated);
  const create = (event: FormEvent) => {
    event.preventDefault();
    run(async () => {
      setCreated(
        await api.login({
          username: user.username,
          password,
          ...(name.trim() === '' ? {} : { name: name.trim() }),
          ...(days === '' ? {} : { expires_in_days: Number(days) }),
        }),
      );
      setPassword('');
      setName('');
      setDays('');
    });
  };
  return (
    <form className="panel" onSubmit={create}>
      <h2>New token</h2>
      <div className="grid2">
        <div>
          <label htmlFor="token-name">Name (optional)</label>
          <input
            id="token-name"
            autoComplete="off"
            maxLength={100}
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </div>
        <div>
          <label htmlFor="token-days">Expires after days (empty: never)</label>
          <input
            id="token-days"
            type="number"
            min={1}
            step={1}
            value={days}
            onChange={(event) => setDays(event.target.value)}
          />
        </div>
      </div>
      <label htmlFor="token-password">Your password</label>
      <input
        id="token-password"
        type="password"
        required
        autoComplete="current-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
      />
      <div className="actions">
        <button type="submit" disabled={busy}>
          Create a token
        </button>
      </div>
      <ErrorNotice error={error} />
      {created && (
        <div className="notice ok" role="status">
          <p>
            Your new token{created.name ? ` “${created.name}”` : ''}
            {created.expires ? `, valid until ${formatDate(created.expires)}` : ', valid until revoked'}; it
            is shown only now, so copy it:
          </p>
          <p>
            <code className="mono" data-token>
              {created.token}
            </code>{' '}
            <CopyButton text={created.token} label="Copy the token" />
          </p>
          <p className="hint">
            Scripts send it as the header <code>Authorization: Bearer TOKEN</code>; <code>imger</code> takes
            it as IMG_TOKEN.
          </p>
        </div>
      )}
    </form>
  );
}

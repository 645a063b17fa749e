import { type FormEvent, useState } from 'react';
import type { Job, ShareCreated } from '../../../client/api-client.ts';
import { MAX_SHARE_HOURS } from '../../../contract/shares.ts';
import { api } from '../../app/api.ts';
import { formatDate } from '../../app/format.ts';
import { href } from '../../app/router.tsx';
import { sharePath } from '../../app/routes.ts';
import { useAction } from '../../app/use-action.ts';
import { useResource } from '../../app/use-resource.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { CopyButton } from '../../components/CopyButton.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';

const LIFETIMES = [
  { hours: 1, label: '1 hour' },
  { hours: 24, label: '1 day' },
  { hours: 7 * 24, label: '7 days' },
  { hours: MAX_SHARE_HOURS, label: `${MAX_SHARE_HOURS / 24} days (the longest)` },
];

/** The owner's share links: a new one is shown once, with its address to copy; the others can be revoked. */
export function SharePanel({ job }: { job: Job }) {
  const links = useResource(() => api.shares(job.id), `shares/${job.id}`);
  const [hours, setHours] = useState(24);
  const [created, setCreated] = useState<ShareCreated>();
  const { run, busy, error } = useAction(links.reload);
  const create = (event: FormEvent) => {
    event.preventDefault();
    run(async () => setCreated(await api.share(job.id, hours)));
  };
  const address = created && new URL(href(sharePath(created.token)), location.origin).href;
  return (
    <section className="panel" aria-labelledby="job-share">
      <h2 id="job-share">Share</h2>
      <p className="hint">
        A link downloads this job's files (not its log) without a login, until it expires or you revoke it.
      </p>
      <form className="inline-form" onSubmit={create}>
        <label htmlFor="share-lifetime">Link works for</label>
        <select id="share-lifetime" value={hours} onChange={(event) => setHours(Number(event.target.value))}>
          {LIFETIMES.map((lifetime) => (
            <option key={lifetime.hours} value={lifetime.hours}>
              {lifetime.label}
            </option>
          ))}
        </select>
        <button type="submit" disabled={busy}>
          Make a share link
        </button>
      </form>
      {created && address && (
        <div className="notice ok" role="status">
          <p>Copy the link now: it is shown only once. It works until {formatDate(created.expires)}.</p>
          <div className="checksum">
            <code className="mono share-url">{address}</code>
            <CopyButton text={address} label="Copy the share link" />
          </div>
        </div>
      )}
      <ErrorNotice error={error ?? links.error} />
      {links.data && links.data.length > 0 && (
        <table className="data share-links">
          <thead>
            <tr>
              <th>Made</th>
              <th>By</th>
              <th>Expires</th>
              <th>
                <span className="visually-hidden">Revoke</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {links.data.map((link) => (
              <tr key={link.id} data-share-id={link.id}>
                <td>{formatDate(link.created)}</td>
                <td>{link.created_by}</td>
                <td>{formatDate(link.expires)}</td>
                <td>
                  <ConfirmButton
                    question="Revoke this link? It stops working at once."
                    disabled={busy}
                    onConfirm={() =>
                      run(async () => {
                        await api.revokeShare(job.id, link.id);
                        if (created?.id === link.id) setCreated(undefined);
                      })
                    }
                  >
                    Revoke
                  </ConfirmButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

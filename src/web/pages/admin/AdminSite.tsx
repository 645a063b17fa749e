import { type FormEvent, useState } from 'react';
import type { Site } from '../../../client/api-client.ts';
import { DEFAULT_SITE_NAME, MAX_SITE_NAME } from '../../../contract/site.ts';
import { api } from '../../app/api.ts';
import { useAction } from '../../app/use-action.ts';
import { useResource } from '../../app/use-resource.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';

const FROM = {
  pages: 'set here',
  'img.conf': 'from img.conf ([notify] base_url)',
  listen: 'the address the server listens on: set one here or in img.conf',
} as const;

/**
 * The original's "Sites": the site's name and the URL users reach it at, which links in mails and BOSS replies
 * start with. Set here, each wins over img.conf until cleared.
 */
export function AdminSite() {
  const site = useResource(() => api.site(), 'site');
  return (
    <>
      <ErrorNotice error={site.error} />
      {site.data && <SiteForm key={JSON.stringify(site.data)} site={site.data} onChanged={site.reload} />}
    </>
  );
}

function SiteForm({ site, onChanged }: { site: Site; onChanged: () => void }) {
  const [name, setName] = useState(site.set.name ?? '');
  const [baseUrl, setBaseUrl] = useState(site.set.base_url ?? '');
  const { run, busy, error } = useAction(onChanged);
  const save = (event: FormEvent) => {
    event.preventDefault();
    // Empty clears: the site falls back to img.conf's (or the default).
    void run(() => api.changeSite({ name: name.trim() || null, base_url: baseUrl.trim() || null }));
  };
  return (
    <form className="panel" onSubmit={save} aria-label="Site">
      <h2>Site</h2>
      <dl className="fields">
        <div className="field">
          <dt>Name now</dt>
          <dd data-site-name>
            {site.name} <span className="hint">({site.set.name === null ? 'the default' : 'set here'})</span>
          </dd>
        </div>
        <div className="field">
          <dt>Base URL now</dt>
          <dd data-site-url>
            <span className="mono">{site.base_url}</span>{' '}
            <span className="hint">({FROM[site.base_url_from]})</span>
          </dd>
        </div>
      </dl>
      <div className="grid2">
        <div>
          <label htmlFor="site-name">
            Name (empty: {site.set.name === null ? site.name : DEFAULT_SITE_NAME})
          </label>
          <input
            id="site-name"
            maxLength={MAX_SITE_NAME}
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </div>
        <div>
          <label htmlFor="site-url">Public base URL (empty: img.conf’s)</label>
          <input
            id="site-url"
            inputMode="url"
            placeholder="https://img.example.org/"
            value={baseUrl}
            onChange={(event) => setBaseUrl(event.target.value)}
          />
        </div>
      </div>
      <p className="hint">
        Links in mails and BOSS replies start with the base URL: http or https, no user name or password.
      </p>
      <div className="actions">
        <button type="submit" disabled={busy}>
          Save
        </button>
        {(site.set.name !== null || site.set.base_url !== null) && (
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => void run(() => api.changeSite({ name: null, base_url: null }))}
          >
            Clear both (back to img.conf)
          </button>
        )}
      </div>
      <ErrorNotice error={error} />
    </form>
  );
}

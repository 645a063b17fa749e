import { api } from '../../app/api.ts';
import { formatBytes, formatDate } from '../../app/format.ts';
import { useResource } from '../../app/use-resource.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import { ResultPanel } from '../../components/ResultPanel.tsx';

/** What a share link opens, without a login: the image first, then every file of the job. */
export function SharePage({ token }: { token: string }) {
  const { data: shared, error } = useResource(() => api.shared(token), token);
  if (!shared) {
    return (
      <>
        <PageTitle title="Shared image">Shared image</PageTitle>
        {error ? <ErrorNotice error={error} /> : <p>Loading…</p>}
      </>
    );
  }
  const fileUrl = (name: string) => api.sharedFileUrl(token, name);
  return (
    <>
      <PageTitle title={shared.name}>{shared.name}</PageTitle>
      <p className="hint">
        A {shared.type} image for {shared.arch}, built {formatDate(shared.finished)}, shared with you until{' '}
        {formatDate(shared.expires)}.
      </p>
      {shared.result.image && (
        <ResultPanel result={shared.result} imageUrl={fileUrl(shared.result.image.name)} />
      )}
      <section className="panel" aria-labelledby="shared-files">
        <h2 id="shared-files">All files</h2>
        <ul className="plain">
          {shared.files.map((file) => (
            <li key={file.name}>
              <a href={fileUrl(file.name)} download>
                {file.name}
              </a>{' '}
              <span className="hint">{formatBytes(file.size)}</span>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

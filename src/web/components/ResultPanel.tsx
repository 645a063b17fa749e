import type { JobResult } from '../../client/api-client.ts';
import { formatBytes } from '../app/format.ts';
import { CopyButton } from './CopyButton.tsx';

/**
 * What a finished build gave, first: the image with its size and checksum, how to use it for its type, and who
 * can log in to it. The job page and a share link show the same; only the download URL differs.
 */
export function ResultPanel({ result, imageUrl }: { result: JobResult; imageUrl: string }) {
  const { image, use, logins } = result;
  if (!image) return null;
  const file = image.name.split('/').pop() ?? image.name;
  return (
    <section className="panel result" aria-labelledby="job-result">
      <h2 id="job-result">Your image</h2>
      <div className="result-download">
        <a className="button" href={imageUrl} download>
          Download {file}
        </a>
        <span className="size">{formatBytes(image.size)}</span>
      </div>
      <div className="checksum">
        <span>SHA-256</span>
        <code className="mono sha">{image.sha256}</code>
        <CopyButton text={image.sha256} label="Copy the SHA-256" />
      </div>
      <p className="hint">
        Check the download with <code>sha256sum {file}</code>.
      </p>
      {use && (
        <>
          <h3>How to use it</h3>
          <p>{use.how}</p>
          <div className="commands">
            <pre className="text">{use.commands.join('\n')}</pre>
            <CopyButton text={use.commands.join('\n')} label="Copy the commands" />
          </div>
        </>
      )}
      {logins && <LoginsText logins={logins} />}
    </section>
  );
}

function LoginsText({ logins }: { logins: NonNullable<JobResult['logins']> }) {
  const withPassword = logins.users.filter((user) => user.password).map((user) => user.name);
  const locked = logins.users.filter((user) => !user.password).map((user) => user.name);
  return (
    <>
      <h3>Logging in</h3>
      <ul className="logins">
        <li>
          {logins.root_password
            ? 'root: the password set by the kickstart (rootpw).'
            : 'root: no password (locked); log in as a user below, or set rootpw in the kickstart.'}
        </li>
        {withPassword.length > 0 && (
          <li>Users with the password the kickstart sets for each: {withPassword.join(', ')}.</li>
        )}
        {locked.length > 0 && <li>Users without a password (ssh keys only): {locked.join(', ')}.</li>}
      </ul>
    </>
  );
}

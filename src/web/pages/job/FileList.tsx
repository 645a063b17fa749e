import type { Job } from '../../../client/api-client.ts';
import { api } from '../../app/api.ts';
import { formatBytes } from '../../app/format.ts';

/** The files the build left, with what a download can be checked against; the image's own button is on top. */
export function FileList({ job }: { job: Job }) {
  if (job.artifacts.length === 0) return <p>This build left no files.</p>;
  const fileUrl = (name: string) =>
    api.url(`${job.links.files}/${name.split('/').map(encodeURIComponent).join('/')}`);
  return (
    <div className="table-wrap">
      <table className="data cards">
        <thead>
          <tr>
            <th>File</th>
            <th>Size</th>
            <th>SHA-256</th>
          </tr>
        </thead>
        <tbody>
          {job.artifacts.map((artifact) => (
            <tr key={artifact.name}>
              <td data-label="File">
                <a href={fileUrl(artifact.name)} download>
                  {artifact.name}
                </a>
                {artifact.main && <span className="tag">image</span>}
              </td>
              <td data-label="Size">{formatBytes(artifact.size)}</td>
              <td data-label="SHA-256" className="mono sha">
                {artifact.sha256}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

import { openAsBlob } from 'node:fs';
import { join } from 'node:path';
import { ApiClient } from '../../client/api-client.ts';
import type { Artifact } from '../jobs/index.ts';

/** The web node a worker that does not share base_dir sends its results to, and the admin token it uses. */
export interface UploadTarget {
  url: string;
  token: string;
}

/**
 * Sends files of the job's local folder to the web node, which checks each one's sha256 and serves it as a file
 * built there. The worker stores the job's end only after this, so DONE always means downloadable.
 */
export async function uploadFiles(
  target: UploadTarget,
  upload: { jobId: string; workerId: string; folder: string; files: readonly Artifact[] },
): Promise<void> {
  const client = new ApiClient({ server: target.url, token: target.token });
  for (const file of upload.files) {
    // A Blob over the file: fetch streams it from disk, however large.
    const content = await openAsBlob(join(upload.folder, file.name));
    await client.uploadFile(upload.jobId, file.name, content, {
      sha256: file.sha256,
      worker: upload.workerId,
    });
  }
}

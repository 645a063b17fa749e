import { relative } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { ApiClient } from '../../client/api-client.ts';
import { type DownloadedFile, downloadJobFiles } from '../../client/download.ts';

/** The job's files with a progress bar on a terminal (one line per file otherwise), checked against SHA256SUMS. */
export async function downloadWithProgress(
  client: ApiClient,
  jobId: string,
  folder: string,
  options: { imageOnly: boolean; quiet: boolean },
): Promise<DownloadedFile[]> {
  const bar =
    process.stderr.isTTY && !options.quiet
      ? new SingleBar({
          stream: process.stderr,
          format: ' {file} [{bar}] {percentage}% {value}/{total} bytes',
          hideCursor: true,
        })
      : null;
  let current: string | undefined;
  const finishBar = () => {
    if (current !== undefined) bar?.stop();
    current = undefined;
  };
  try {
    const files = await downloadJobFiles(client, jobId, folder, {
      only: options.imageOnly ? (artifact) => artifact.main || artifact.name === 'SHA256SUMS' : () => true,
      onStart: (artifact, resumedFrom) => {
        finishBar();
        current = artifact.name;
        bar?.start(artifact.size, resumedFrom, { file: artifact.name });
      },
      onProgress: ({ done }) => bar?.update(done),
    });
    finishBar();
    if (!options.quiet) {
      for (const file of files) {
        process.stderr.write(
          `${relative('.', file.path) || file.path}: ${file.size} bytes, sha256 ok${provenance(file)}\n`,
        );
      }
    }
    return files;
  } finally {
    finishBar();
  }
}

function provenance(file: DownloadedFile): string {
  if (file.resumedFrom === 0) return '';
  return file.resumedFrom === file.size ? ' (already here)' : ` (resumed at byte ${file.resumedFrom})`;
}

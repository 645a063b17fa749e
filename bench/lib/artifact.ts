import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { localJobFolder as jobFolder } from '../../src/service/jobs/artifact-store.ts';
import type { BenchServer } from './server.ts';

/**
 * A DONE job whose one artifact is a sparse file of `size` bytes: its pages come from the kernel without touching
 * the disk, so a download of it measures the server's reads, not the disk's. The recorded sha256 is zeros: the
 * route sends it as the ETag and never checks it, and hashing the file would only add time.
 */
export async function jobWithSparseArtifact(
  { server, config }: Pick<BenchServer, 'server' | 'config'>,
  name: string,
  size: number,
): Promise<{ jobId: string; path: string }> {
  const { jobs } = server.service;
  const submitted = await jobs.submit(
    { kickstart: 'lang en_US.UTF-8\nrootpw secret\n%packages\nbash\n%end\n', type: 'fs', arch: 'x86_64' },
    { username: 'imager', admin: true },
  );
  const job = await jobs.claimById(submitted.id, 'bench');
  if (!job) throw new Error(`job ${submitted.id} could not be claimed`);
  const folder = jobFolder(config.worker.base_dir, job);
  await mkdir(folder, { recursive: true });
  const path = join(folder, name);
  const file = await open(path, 'w');
  await file.truncate(size);
  await file.close();
  await jobs.finish(job.id, 'bench', {
    artifacts: [{ name, size, sha256: '0'.repeat(64), main: true }],
  });
  return { jobId: job.id, path };
}

// What changed between two jobs' images, from their manifests (NAME.manifest.json, src/contract/manifest.ts).
// A manifest is a file of a job's folder like any other (a worker uploaded it), so it is read only as a file the
// job recorded, through the artifact store, bounded in size, and validated before anything is compared.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  COMPARED_FILE_FIELDS,
  type JobDiff,
  MANIFEST_SUFFIX,
  MAX_MANIFEST_BYTES,
  type Manifest,
  type ManifestPackage,
  ManifestSchema,
} from '../../contract/manifest.ts';
import { ServiceError } from '../errors.ts';
import type { ArtifactStore } from './artifact-store.ts';
import { mustGetJob } from './job-access.ts';
import type { JobReads } from './reads.ts';
import type { Job } from './types.ts';

const manifestCheck = TypeCompiler.Compile(ManifestSchema);

/**
 * The manifest bytes this process compares at once: two at MAX_MANIFEST_BYTES took ~0.9 GB of heap and ~2 s of
 * the event loop (parse, check, compare, answer), and any user can ask for any two jobs, as often as they like.
 * One diff of any size goes through; others wait their turn by a `busy` refusal rather than in memory.
 */
export const diffMemory = (() => {
  const bound = 2 * MAX_MANIFEST_BYTES;
  let taken = 0;
  return {
    /** Takes `bytes` of the bound and answers how to give them back; null when they do not fit now. */
    take(bytes: number): (() => void) | null {
      if (taken > 0 && taken + bytes > bound) return null;
      taken += bytes;
      let given = false;
      return () => {
        if (!given) taken -= bytes;
        given = true;
      };
    },
  };
})();

/**
 * The job's manifest, or a ServiceError: not-found (none recorded, or gone), conflict (not a valid one), busy
 * (too many manifest bytes being compared now). Its size is taken from diffMemory and added to `held`.
 */
async function readManifest(files: ArtifactStore, job: Job, held: (() => void)[]): Promise<Manifest> {
  const name = `${job.name}${MANIFEST_SUFFIX}`;
  const missing = () => new ServiceError('not-found', `job ${job.id} has no manifest (it is ${job.status})`);
  if (!job.artifacts.some((artifact) => artifact.name === name)) throw missing();
  const file = await files.open(job, name);
  if (!file) throw missing();
  const invalid = (why: string) => new ServiceError('conflict', `the manifest of job ${job.id} ${why}`);
  if (file.size > MAX_MANIFEST_BYTES) {
    await file.close();
    throw invalid(`is larger than ${MAX_MANIFEST_BYTES} bytes`);
  }
  const give = diffMemory.take(file.size);
  if (!give) {
    await file.close();
    throw new ServiceError('busy', 'other diffs are being computed; try again in a moment', undefined, 2);
  }
  held.push(give);
  const chunks: Buffer[] = [];
  let size = 0;
  // One byte past the bound at most: the size was checked on the open file, but one written to meanwhile grows.
  for await (const chunk of file.stream({ start: 0, end: MAX_MANIFEST_BYTES })) {
    size += (chunk as Buffer).length;
    if (size > MAX_MANIFEST_BYTES) throw invalid(`is larger than ${MAX_MANIFEST_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw invalid('is not JSON');
  }
  if (!manifestCheck.Check(parsed)) {
    const first = manifestCheck.Errors(parsed).First();
    throw invalid(`is not a manifest of format 1 (${first?.path || '/'}: ${first?.message ?? 'invalid'})`);
  }
  return parsed;
}

/** The difference from job `from` to job `to`, as anyone who may read both jobs sees it. */
export async function diffJobs(
  jobs: Pick<JobReads, 'get'>,
  files: ArtifactStore,
  from: string,
  to: string,
): Promise<JobDiff> {
  const [a, b] = [await mustGetJob(jobs, from), await mustGetJob(jobs, to)];
  const held: (() => void)[] = [];
  try {
    return diffManifests(a.id, b.id, await readManifest(files, a, held), await readManifest(files, b, held));
  } finally {
    for (const give of held) give();
  }
}

/** What changed from manifest `a` to manifest `b`, in the manifests' order. */
export function diffManifests(from: string, to: string, a: Manifest, b: Manifest): JobDiff {
  const packageKey = (p: ManifestPackage) => `${p.name}:${p.arch}`;
  const packagesA = new Map(a.packages.map((p) => [packageKey(p), p]));
  const packagesB = new Map(b.packages.map((p) => [packageKey(p), p]));
  const filesA = new Map(a.files.map((f) => [f.path, f]));
  const filesB = new Map(b.files.map((f) => [f.path, f]));
  const changedFiles: JobDiff['files']['changed'] = [];
  for (const [path, before] of filesA) {
    const after = filesB.get(path);
    if (!after) continue;
    const fields = COMPARED_FILE_FIELDS.filter((field) => before[field] !== after[field]);
    if (fields.length > 0) changedFiles.push({ path, fields, from: before, to: after });
  }
  return {
    from,
    to,
    packages: {
      added: b.packages.filter((p) => !packagesA.has(packageKey(p))),
      removed: a.packages.filter((p) => !packagesB.has(packageKey(p))),
      changed: a.packages.flatMap((p) => {
        const after = packagesB.get(packageKey(p));
        return after && after.version !== p.version
          ? [{ name: p.name, arch: p.arch, from: p.version, to: after.version }]
          : [];
      }),
    },
    files: {
      added: b.files.filter((f) => !filesA.has(f.path)),
      removed: a.files.filter((f) => !filesB.has(f.path)),
      changed: changedFiles,
    },
  };
}

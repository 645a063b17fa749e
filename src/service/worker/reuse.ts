// Identical builds built once. Before the build starts, the worker resolves the job's build key (the sources'
// metadata digests are known only then) and looks for a DONE job with the same key whose files are still
// there: the job then shares them (hard links through the artifact store) and ends DONE without a build. When
// an identical build is running, the job waits for it: DONE, it shares its files; failed or cancelled, this job
// goes on and builds itself, since the other's end may be its owner's cancel or a passing fault (a lost worker,
// a mirror that was away), and one user's job must not end with another's cancel.
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveBuildKey } from '../../builder/build-key.ts';
import { type Artifact, type ArtifactStore, type Job, type JobService, logFileName } from '../jobs/index.ts';
import type { JobLog } from './job-log.ts';
import type { WorkerSettings } from './settings.ts';

export type BuildPlan =
  /** Build: with the key to store at the end, or null when none was resolved. */
  | { kind: 'build'; key: string | null }
  /** The files of `origin` are now the job's too. */
  | { kind: 'reused'; key: string; origin: Job; artifacts: Artifact[] }
  /** The job was stopped (cancel, deadline, the worker's stop) while it waited for an identical build. */
  | { kind: 'stopped' };

export interface ReuseContext {
  jobs: JobService;
  files: ArtifactStore;
  workerId: string;
  settings: WorkerSettings;
  log: JobLog;
  signal: AbortSignal;
}

/** How often a job waiting for an identical build looks at it; the event of this process is heard at once. */
const WAIT_POLL_MS = 1000;

export async function planBuild(context: ReuseContext, job: Job): Promise<BuildPlan> {
  const { jobs, settings, log } = context;
  // mic reads the kickstart itself: the native builder's reading of it would not be the key of its image. A
  // worker that uploads its results has no other job's files to link to. A post_creation hook is the admin's
  // per-job program: what it does to a job's files (a stamp, a signature, a file added) and beyond them (a
  // publication, a notice) is in no key, so a job shared from another would hold that job's and miss its own.
  if (!settings.reuse || settings.builder !== 'native' || settings.upload || settings.postCreation !== '')
    return { kind: 'build', key: null };
  let key: string;
  try {
    ({ key } = await resolveBuildKey(
      {
        kickstart: job.kickstart,
        type: job.type,
        arch: job.arch,
        name: job.name,
        tokenmap: job.tokenmap,
        extraRepos: job.extra_repos,
        packages: job.packages,
        gpgKeyDir: settings.gpgKeyDir,
      },
      context.signal,
    ));
  } catch (error) {
    if (context.signal.aborted) return { kind: 'stopped' };
    // The build's own resolve step meets the same problem and reports it as the build's failure.
    log.line(
      `build key not resolved (${(error as Error).message}); building without looking for an identical build`,
    );
    return { kind: 'build', key: null };
  }
  log.line(`build key ${key}`);
  if (job.fresh) {
    await jobs.claimBuildKey(job.id, context.workerId, key);
    log.line('a fresh build was asked for: building even if an identical build is DONE or running');
    return { kind: 'build', key };
  }
  for (;;) {
    for (const origin of await jobs.doneWithKey(key)) {
      const artifacts = await share(context, origin, job);
      if (artifacts) {
        log.line(`job ${origin.id} built this image (same build key) and its files are kept: sharing them`);
        return { kind: 'reused', key, origin, artifacts };
      }
    }
    const { building } = await jobs.claimBuildKey(job.id, context.workerId, key);
    if (building === null) return { kind: 'build', key };
    log.line(`job ${building} is building the same image (same build key): waiting for it`);
    const ended = await waitFor(context, building);
    if (ended === null) return { kind: 'stopped' };
    if (ended !== 'DONE') log.line(`job ${building} is ${ended}, not DONE; this job builds the image itself`);
  }
}

/**
 * The origin's files (its log aside: the job writes its own) given to the job; null when one is gone, also
 * while being linked (its owner deletes the origin meanwhile): this job then builds, it does not fail for that.
 */
async function share(context: ReuseContext, origin: Job, job: Job): Promise<Artifact[] | null> {
  if (origin.id === job.id) return null;
  const shared = origin.artifacts.filter((artifact) => artifact.name !== logFileName(origin));
  try {
    return (await context.files.share(origin, job, shared)) ? shared : null;
  } catch (error) {
    if (context.signal.aborted) throw error;
    context.log.line(`the files of job ${origin.id} cannot be shared (${(error as Error).message})`);
    return null;
  }
}

/**
 * The status the job left BUILDING for (its end, or IN QUEUE when its worker was lost: this job then builds
 * rather than hold its slot for it); null when the wait was stopped first.
 */
async function waitFor(context: ReuseContext, jobId: string): Promise<string | null> {
  const ended = new AbortController();
  const offs = (['job:finished', 'job:queued'] as const).map((name) =>
    context.jobs.events.on(name, (event) => {
      if (event.job.id === jobId) ended.abort();
    }),
  );
  const either = AbortSignal.any([context.signal, ended.signal]);
  try {
    for (;;) {
      const other = await context.jobs.get(jobId);
      if (other === null) return 'removed';
      if (other.status !== 'BUILDING') return other.status;
      if (context.signal.aborted) return null;
      await sleep(WAIT_POLL_MS, undefined, { signal: either }).catch(() => undefined);
      if (context.signal.aborted) return null;
    }
  } finally {
    for (const off of offs) off();
  }
}

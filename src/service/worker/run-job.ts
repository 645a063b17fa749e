import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError } from '../../client/api-client.ts';
import type { JobProgress } from '../../contract/progress.ts';
import { ServiceError } from '../errors.ts';
import {
  type Artifact,
  type Job,
  type JobError,
  type JobService,
  jobFolder,
  logFileName,
} from '../jobs/index.ts';
import { collectArtifacts, describeFile } from './artifacts.ts';
import type { ChildResult } from './child-protocol.ts';
import { startHeartbeat } from './heartbeat.ts';
import { JobLog } from './job-log.ts';
import { nextProgress } from './job-progress.ts';
import { shipLog } from './log-shipper.ts';
import { runPostCreation } from './post-creation.ts';
import { runBuild } from './run-build.ts';
import type { WorkerSettings } from './settings.ts';
import { uploadFiles } from './upload.ts';

export interface JobRunContext {
  jobs: JobService;
  workerId: string;
  settings: WorkerSettings;
  /** Aborted when the worker stops: the build is killed and the job left for the server to requeue. */
  shutdown: AbortSignal;
  onError(error: unknown, context: string): void;
}

type StopReason = 'cancelled' | 'timeout' | 'shutdown';

type Ending = { status: 'DONE'; main: string | null } | { status: 'ERROR' | 'CANCELLED'; error: JobError };

/** The builder's own deadline fires first and says which step ran over; this is the backstop for a hung child. */
const DEADLINE_SLACK_MS = 30_000;
const STORE_ATTEMPTS = 5;

/**
 * One job's whole life on a worker: its folder and live log, the build in a child process under heartbeat,
 * cancel and deadline, the post_creation hook, then the final state. Resolves true once nothing is left to do
 * (the delivery may be acked), false when the worker stopped first and the job is left to the server.
 */
export async function runJob(context: JobRunContext, job: Job): Promise<boolean> {
  try {
    return await buildAndStore(context, job);
  } catch (error) {
    if (noLongerOurs(error)) {
      context.onError(error, `job ${job.id} changed hands during its build; its result is dropped`);
      return true;
    }
    // Anything else (a folder that cannot be made, a database that stayed away): the job must not stay BUILDING.
    context.onError(error, `job ${job.id} failed in the worker`);
    const message = `the worker failed: ${error instanceof Error ? error.message : String(error)}`;
    await context.jobs
      .fail(job.id, context.workerId, { class: 'internal', message })
      .catch((failError: unknown) => context.onError(failError, `job ${job.id}: storing ERROR failed`));
    return true;
  }
}

async function buildAndStore(context: JobRunContext, job: Job): Promise<boolean> {
  const { jobs, workerId, settings } = context;
  const folder = jobFolder(settings.baseDir, job);
  await mkdir(folder, { recursive: true });
  const log = new JobLog(join(folder, logFileName(job)), (error) =>
    context.onError(error, `the log of job ${job.id} cannot be written`),
  );
  log.line(`worker ${workerId} builds job ${job.id} (attempt ${job.attempt})`);
  // The web node does not see this folder: the log is copied there as it grows, for its followers.
  const shipper = settings.upload
    ? shipLog(settings.upload, { jobId: job.id, workerId, path: log.path }, context.onError)
    : null;

  const stop = new AbortController();
  const stopWith = (reason: StopReason): void => {
    if (!stop.signal.aborted) stop.abort(reason);
  };
  const heartbeat = startHeartbeat({
    jobs,
    jobId: job.id,
    workerId,
    everyMs: settings.heartbeatMs,
    onCancelled: () => stopWith('cancelled'),
    onError: (error) => context.onError(error, `heartbeat of job ${job.id} failed`),
  });
  // A cancel made in this very process need not wait for the next beat.
  const offCancel = jobs.events.on('job:cancel-requested', (event) => {
    if (event.job.id === job.id) stopWith('cancelled');
  });
  let progress: JobProgress | null = null;
  const deadline = setTimeout(() => stopWith('timeout'), settings.timeoutMs + DEADLINE_SLACK_MS);
  const onShutdown = (): void => stopWith('shutdown');
  context.shutdown.addEventListener('abort', onShutdown, { once: true });
  if (context.shutdown.aborted) onShutdown();

  try {
    const result = await runBuild({
      entry: settings.buildEntry,
      order: {
        job: {
          id: job.id,
          name: job.name,
          type: job.type,
          arch: job.arch,
          kickstart: job.kickstart,
          tokenmap: job.tokenmap,
          extraRepos: job.extraRepos,
          packages: job.packages,
        },
        outputDir: folder,
        builder: settings.builder,
        micOpts: [...settings.micOpts],
        deadlineMs: settings.timeoutMs,
        gpgKeyDir: settings.gpgKeyDir,
        sandboxIdBase: settings.sandboxIdBase,
      },
      signal: stop.signal,
      killGraceMs: settings.killGraceMs,
      onEvent: (event) => {
        log.event(event);
        if (event.type === 'progress') {
          progress = nextProgress(progress, event, new Date());
          heartbeat.progress(progress);
        }
      },
      onText: (line) => log.line(line),
    });
    const reason = stop.signal.aborted ? (stop.signal.reason as StopReason) : undefined;
    if (reason === 'shutdown') {
      log.line(`worker ${workerId} stopped during the build; the server puts the job back in its queue`);
      return false;
    }
    const ending = endingOf(result, reason, settings.timeoutMs);
    // Every step the build reached is on the job before its end: followers see the whole way.
    await heartbeat.flush();
    if (settings.postCreation !== '') {
      await runPostCreation({
        program: settings.postCreation,
        jobId: job.id,
        status: ending.status,
        folder,
        image: ending.status === 'DONE' && ending.main ? join(folder, ending.main) : '',
        log,
      });
    }
    log.line(ending.status === 'DONE' ? 'job DONE' : `job ${ending.status}: ${ending.error.message}`);
    await log.close();
    // Every line is on the web node before the job can end there, even if the final upload takes long.
    await shipper?.finish();
    await storeEnding(context, job, folder, ending);
    return true;
  } finally {
    heartbeat.stop();
    offCancel();
    clearTimeout(deadline);
    context.shutdown.removeEventListener('abort', onShutdown);
    await log.close();
    await shipper?.finish();
    // Uploaded (or to be built again from scratch): the web node's copy is the one that counts.
    if (settings.upload) await rm(folder, { recursive: true, force: true });
  }
}

function endingOf(result: ChildResult | null, reason: StopReason | undefined, timeoutMs: number): Ending {
  if (reason === 'cancelled') {
    return { status: 'CANCELLED', error: { class: 'cancelled', message: 'cancelled while building' } };
  }
  if (reason === 'timeout') {
    const message = `the build exceeded [worker] timeout of ${timeoutMs / 1000} s and was stopped`;
    return { status: 'ERROR', error: { class: 'timeout', message } };
  }
  if (result?.ok) return { status: 'DONE', main: result.main };
  return {
    status: 'ERROR',
    error: result?.error ?? { class: 'internal', message: 'the build process reported nothing' },
  };
}

/**
 * Retried for a while: a database or web node that hiccups must not turn a finished build into a lost one. With
 * `upload_url`, the files (or, for a failed build, only its log) reach the web node before the end is stored.
 */
async function storeEnding(context: JobRunContext, job: Job, folder: string, ending: Ending): Promise<void> {
  const { jobs, workerId, settings } = context;
  const upload = async (files: readonly Artifact[]) => {
    if (settings.upload) await uploadFiles(settings.upload, { jobId: job.id, workerId, folder, files });
  };
  for (let attempt = 1; ; attempt += 1) {
    try {
      if (ending.status === 'DONE') {
        const artifacts = await collectArtifacts(folder, ending.main);
        await upload(artifacts);
        await jobs.finish(job.id, workerId, { artifacts, ...(await builtKickstart(folder, job)) });
      } else {
        await upload([await describeFile(folder, logFileName(job))]);
        // A job whose cancel was requested becomes CANCELLED whatever stopped its build.
        await jobs.fail(job.id, workerId, ending.error);
      }
      return;
    } catch (error) {
      if (attempt === STORE_ATTEMPTS || noLongerOurs(error)) throw error;
      context.onError(error, `storing the end of job ${job.id} failed (attempt ${attempt}); retrying`);
      await sleep(1000 * 2 ** (attempt - 1));
    }
  }
}

/** The builder writes the kickstart as built (tokens applied, includes flattened) beside the image. */
async function builtKickstart(folder: string, job: Job): Promise<{ builtKickstart?: string }> {
  try {
    return { builtKickstart: await readFile(join(folder, `${job.name}.ks`), 'utf8') };
  } catch {
    return {};
  }
}

/** The job is no longer this worker's (requeued after a long silence, removed): nothing left to store. */
function noLongerOurs(error: unknown): boolean {
  return (
    (error instanceof ServiceError || error instanceof ApiError) &&
    (error.code === 'conflict' || error.code === 'not-found')
  );
}

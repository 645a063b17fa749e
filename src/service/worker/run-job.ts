import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError } from '../../client/api-client.ts';
import { type Failure, failure } from '../../contract/failure.ts';
import type { JobProgress } from '../../contract/progress.ts';
import { isUnavailable } from '../db/index.ts';
import { ServiceError } from '../errors.ts';
import {
  type Artifact,
  type ArtifactStore,
  isFinished,
  type Job,
  type JobService,
  type KnownDigests,
  logFileName,
} from '../jobs/index.ts';
import type { ChildResult } from './child-protocol.ts';
import { startHeartbeat } from './heartbeat.ts';
import { JobLog } from './job-log.ts';
import { nextProgress } from './job-progress.ts';
import { shipLog } from './log-shipper.ts';
import { runPostCreation } from './post-creation.ts';
import { type BuildPlan, planBuild } from './reuse.ts';
import { type RunBuildOptions, runBuild } from './run-build.ts';
import type { WorkerSettings } from './settings.ts';
import { uploadFiles } from './upload.ts';
import { runBuildInVm } from './vm/run-build-in-vm.ts';

export interface JobRunContext {
  jobs: JobService;
  workerId: string;
  settings: WorkerSettings;
  /** Owns the job's folder: the build writes in the work folder it hands out, and lists the files through it. */
  files: ArtifactStore;
  /** Aborted when the worker stops: the build is killed and the job left for the server to requeue. */
  shutdown: AbortSignal;
  onError(error: unknown, context: string): void;
}

type StopReason = 'cancelled' | 'timeout' | 'shutdown';

type Ending =
  | { status: 'DONE'; main: string | null; digests: KnownDigests }
  | { status: 'ERROR' | 'CANCELLED'; error: Failure };

/** The builder's own deadline fires first and says which step ran over; this is the backstop for a hung child. */
const DEADLINE_SLACK_MS = 30_000;
const STORE_ATTEMPTS = 5;
/** Short: a stored end is what users wait for, and a failed try costs a database that is away next to nothing. */
const STORE_PAUSE_MAX_MS = 5000;

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
    // Anything else (a folder that cannot be made, a web node that keeps refusing the files): the job must not
    // stay BUILDING.
    context.onError(error, `job ${job.id} failed in the worker`);
    const message = `the worker failed: ${error instanceof Error ? error.message : String(error)}`;
    try {
      return await storeUntilDone(context, job, () =>
        context.jobs.fail(job.id, context.workerId, failure('internal', message)),
      );
    } catch (failError) {
      context.onError(failError, `job ${job.id}: storing ERROR failed`);
      return true;
    }
  }
}

async function buildAndStore(context: JobRunContext, job: Job): Promise<boolean> {
  const { jobs, workerId, settings } = context;
  const folder = await context.files.workFolder(job);
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
    const plan = await planBuild({ ...context, log, signal: stop.signal }, job);
    if (plan.kind === 'reused') {
      await heartbeat.flush();
      log.line(`job DONE: the files of job ${plan.origin.id}, not built again`);
      await log.close();
      await shipper?.finish();
      return await storeReused(context, job, plan);
    }
    const { vm } = settings;
    const build = vm ? (options: RunBuildOptions) => runBuildInVm(options, vm) : runBuild;
    const result =
      plan.kind === 'stopped'
        ? null
        : await build({
            entry: settings.buildEntry,
            order: {
              job: {
                id: job.id,
                name: job.name,
                type: job.type,
                arch: job.arch,
                kickstart: job.kickstart,
                tokenmap: job.tokenmap,
                extra_repos: job.extra_repos,
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
            killGraceMs: (reason) => (reason === 'shutdown' ? settings.stopGraceMs : settings.killGraceMs),
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
    if (ending.status !== 'DONE') ending.error = await withLogLine(ending.error, log, ending.status);
    // Every line is on the web node before the job can end there, even if the final upload takes long.
    await shipper?.finish();
    return await storeEnding(context, job, folder, ending, plan.kind === 'build' ? plan.key : null);
  } finally {
    heartbeat.stop();
    offCancel();
    clearTimeout(deadline);
    context.shutdown.removeEventListener('abort', onShutdown);
    await log.close();
    await shipper?.finish();
    // Uploaded (or to be built again from scratch): the web node's copy is the one that counts.
    if (settings.upload) await context.files.remove(job);
  }
}

function endingOf(result: ChildResult | null, reason: StopReason | undefined, timeoutMs: number): Ending {
  const step = lastStep(result);
  if (reason === 'cancelled') {
    return { status: 'CANCELLED', error: failure('cancelled', 'cancelled while building', step) };
  }
  if (reason === 'timeout') {
    const message = `the build exceeded [worker] timeout of ${timeoutMs / 1000} s and was stopped`;
    return { status: 'ERROR', error: failure('timeout', message, step, { limit_s: timeoutMs / 1000 }) };
  }
  if (result?.ok) {
    return { status: 'DONE', main: result.main, digests: result.digests ?? {} };
  }
  return {
    status: 'ERROR',
    error: result?.failure ?? failure('internal', 'the build process reported nothing'),
  };
}

function lastStep(result: ChildResult | null): string | null {
  return result && !result.ok ? result.failure.step : null;
}

/**
 * The failure with the number of its log line: the line the builder named, else the builder's own account of
 * the failure, else the worker's last word. Only the worker knows the numbers: it writes lines of its own.
 */
async function withLogLine(error: Failure, log: JobLog, status: string): Promise<Failure> {
  const named = error.details.log_line?.text;
  const found = await log.find([...(named ? [named] : []), 'build failed: ', `job ${status}: `]);
  if (!found) return error;
  const text = named && found.text.includes(named) ? named : found.text;
  return { ...error, details: { ...error.details, log_line: { number: found.number, text } } };
}

/**
 * With `upload_url`, the files (or, for a failed build, only its log) reach the web node before the end is stored.
 * Resolves false when the worker was stopped before the end could be stored.
 */
async function storeEnding(
  context: JobRunContext,
  job: Job,
  folder: string,
  ending: Ending,
  buildKey: string | null,
): Promise<boolean> {
  const { jobs, workerId, settings } = context;
  const upload = async (files: readonly Artifact[]) => {
    if (settings.upload) await uploadFiles(settings.upload, { jobId: job.id, workerId, folder, files });
  };
  return storeUntilDone(context, job, async () => {
    if (ending.status === 'DONE') {
      const artifacts = await context.files.list(job, ending);
      await upload(artifacts);
      await jobs.finish(job.id, workerId, {
        artifacts,
        ...(await builtKickstart(folder, job)),
        ...(buildKey === null ? {} : { buildKey }),
      });
    } else {
      const log = await context.files.describe(job, logFileName(job));
      await upload(log ? [log] : []);
      // A job whose cancel was requested becomes CANCELLED whatever stopped its build.
      await jobs.fail(job.id, workerId, ending.error);
    }
  });
}

/**
 * A job that shares an identical DONE job's files: those, and its own log. post_creation does not run: nothing
 * was built, and a hook that rewrote a shared file in place would change the other job's too.
 */
async function storeReused(
  context: JobRunContext,
  job: Job,
  plan: Extract<BuildPlan, { kind: 'reused' }>,
): Promise<boolean> {
  return storeUntilDone(context, job, async () => {
    const log = await context.files.describe(job, logFileName(job));
    const artifacts = [...plan.artifacts, ...(log ? [log] : [])].sort((a, b) => a.name.localeCompare(b.name));
    await context.jobs.finish(job.id, context.workerId, {
      artifacts,
      ...(plan.origin.built_kickstart === null ? {} : { builtKickstart: plan.origin.built_kickstart }),
      buildKey: plan.key,
      reusedFrom: plan.origin.id,
      shared: plan.artifacts.map((artifact) => artifact.name),
    });
  });
}

/**
 * Runs `store` until it succeeds: a finished build must not be lost to a database or web node that hiccups.
 * While the database is away (here, or behind the web node the files go to) the worker keeps the result and
 * tries again, with doubling pauses of at most STORE_PAUSE_MAX_MS, for as long as it takes: the server does not
 * requeue a build for the silence an outage caused (see requeueStale). Other failures are tried STORE_ATTEMPTS
 * times. Resolves false when the worker is stopped meanwhile: the job stays BUILDING and the server requeues it.
 */
async function storeUntilDone(
  context: JobRunContext,
  job: Job,
  store: () => Promise<unknown>,
): Promise<boolean> {
  let failures = 0;
  let waited = false;
  for (let pause = 0; ; pause += 1) {
    try {
      await store();
      return true;
    } catch (error) {
      // An earlier try may have been stored though its answer was lost with the connection.
      if (noLongerOurs(error) && waited && (await storedBefore(context, job))) return true;
      const outage = awaitsDatabase(error);
      if (noLongerOurs(error) || (!outage && ++failures >= STORE_ATTEMPTS)) throw error;
      if (!waited || !outage) {
        context.onError(error, `storing the end of job ${job.id} failed; the worker keeps it and retries`);
      }
      waited ||= outage;
      const pauseMs = Math.min(STORE_PAUSE_MAX_MS, 1000 * 2 ** pause);
      const stopped = await sleep(pauseMs, false, { signal: context.shutdown }).catch(() => true);
      if (stopped) return false;
    }
  }
}

/** The job ended on this worker already: a store whose answer was lost had in fact been made. */
async function storedBefore(context: JobRunContext, job: Job): Promise<boolean> {
  const current = await context.jobs.get(job.id).catch(() => null);
  return current !== null && current.worker === context.workerId && isFinished(current.status);
}

/** The database is away, here or behind the web node: the same store will succeed once it is back. */
function awaitsDatabase(error: unknown): boolean {
  return isUnavailable(error) || (error instanceof ApiError && error.status === 503);
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

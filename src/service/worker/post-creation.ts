import { CommandFailed } from '../../builder/command-failed.ts';
import { run } from '../../builder/exec.ts';
import type { JobStatus } from '../jobs/index.ts';
import type { JobLog } from './job-log.ts';

export interface PostCreation {
  /** `[worker] post_creation`: a program, run without a shell. */
  program: string;
  jobId: string;
  status: JobStatus;
  folder: string;
  /** The main image's path; empty when the build made none. */
  image: string;
  log: JobLog;
}

const POST_CREATION_TIMEOUT_MS = 10 * 60_000;

/**
 * Runs the site's hook after a build, before the job's final state is stored, so files it adds are recorded
 * and its output is in the log. A failing hook is logged; it does not change how the build ended.
 */
export async function runPostCreation(hook: PostCreation): Promise<void> {
  const { log } = hook;
  log.line(`post_creation: ${hook.program} ${hook.jobId} ${hook.status} ${hook.folder} ${hook.image}`);
  try {
    await run(hook.program, [hook.jobId, hook.status, hook.folder, hook.image], {
      cwd: hook.folder,
      env: {
        ...process.env,
        IMG_JOB_ID: hook.jobId,
        IMG_JOB_STATUS: hook.status,
        IMG_JOB_DIR: hook.folder,
        IMG_JOB_IMAGE: hook.image,
      },
      timeoutMs: POST_CREATION_TIMEOUT_MS,
      onLine: (line) => log.line(`post_creation: ${line}`),
    });
  } catch (error) {
    const why = error instanceof CommandFailed ? error.message : String(error);
    log.line(`post_creation failed: ${why}`);
  }
}

import type { JobService } from '../jobs/index.ts';

export interface HeartbeatOptions {
  jobs: JobService;
  jobId: string;
  workerId: string;
  everyMs: number;
  /** The server answered that the job is cancelled, or no longer this worker's. */
  onCancelled(): void;
  onError(error: unknown): void;
}

/**
 * Tells the server the build is alive, and learns from its answer whether to stop: cancellation and liveness
 * are the server's to decide. A failed beat is only reported; the server's timeout decides what silence means.
 */
export function startHeartbeat(options: HeartbeatOptions): { stop(): void } {
  let inFlight = false;
  const timer = setInterval(() => {
    if (inFlight) return;
    inFlight = true;
    options.jobs
      .heartbeat(options.jobId, options.workerId)
      .then(({ cancelled }) => cancelled && options.onCancelled())
      .catch(options.onError)
      .finally(() => {
        inFlight = false;
      });
  }, options.everyMs);
  return { stop: () => clearInterval(timer) };
}

import type { JobProgress } from '../../contract/progress.ts';
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

export interface Heartbeat {
  /**
   * The build's latest progress. A new step is sent at once (a build has a handful); package counts, which change
   * many times a second, ride on the next regular beat, so the database sees one write a beat at most.
   */
  progress(progress: JobProgress): void;
  /**
   * Resolves once every step reported so far, and the latest counts, are stored (or their beat failed): before the
   * job's end is, so a finished job shows where its build ended (its checksum step's bytes all hashed).
   */
  flush(): Promise<void>;
  stop(): void;
}

/**
 * Tells the server the build is alive and how far it is, and learns from its answer whether to stop: cancellation
 * and liveness are the server's to decide. A failed beat is only reported; the server's timeout decides what
 * silence means.
 */
export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  let inFlight = false;
  let again = false;
  let stopped = false;
  let latest: JobProgress | undefined;
  let sent: string | undefined;
  /** Step starts not sent yet: each is sent, in order, even when several come during one beat under way. */
  const newSteps: JobProgress[] = [];
  let idle: (() => void)[] = [];

  const beat = (): void => {
    if (stopped) return;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    const progress = newSteps.shift() ?? latest;
    const key = progress === undefined ? undefined : JSON.stringify(progress);
    const changed = key !== sent ? progress : undefined;
    options.jobs
      .heartbeat(options.jobId, options.workerId, changed)
      .then(({ cancelled }) => {
        sent = key;
        if (cancelled) options.onCancelled();
      })
      .catch(options.onError)
      .finally(() => {
        inFlight = false;
        if (!stopped && (again || newSteps.length > 0)) {
          again = false;
          beat();
        } else {
          for (const resolve of idle) resolve();
          idle = [];
        }
      });
  };
  const timer = setInterval(beat, options.everyMs);

  return {
    progress(progress) {
      const newStep = progress.index !== latest?.index;
      latest = progress;
      if (newStep) {
        newSteps.push(progress);
        beat();
      }
    },
    flush() {
      if (latest !== undefined && JSON.stringify(latest) !== sent) beat();
      if (!inFlight && newSteps.length === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

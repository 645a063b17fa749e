import type { ProgressEvent } from '../../builder/events.ts';
import type { JobProgress } from '../../contract/progress.ts';

/** The job's progress after a builder's progress event: the step's start is kept while the step runs on. */
export function nextProgress(previous: JobProgress | null, event: ProgressEvent, now: Date): JobProgress {
  const sameStep = previous?.step === event.step && previous.index === event.index;
  return {
    step: event.step,
    index: event.index,
    total: event.total,
    steps: event.steps,
    step_started: sameStep ? previous.step_started : now.toISOString(),
    ...(event.packages ? { packages: event.packages } : {}),
    ...(event.bytes ? { bytes: event.bytes } : {}),
  };
}

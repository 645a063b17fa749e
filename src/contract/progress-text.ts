// A job's progress as text and as a fraction, for the pages and the CLI: apart from the schema in progress.ts, so
// a client that shows progress does not load TypeBox (imger starts in half the time without it).
import type { JobProgress } from './progress.ts';

/** One line for logs and plain output: `step 3/7 packages (120/300 packages)`. */
export function describeProgress(progress: JobProgress): string {
  const packages = progress.packages
    ? ` (${progress.packages.done}/${progress.packages.total} packages)`
    : '';
  return `step ${progress.index}/${progress.total} ${progress.step}${packages}`;
}

/** How far the build is, 0 to 1: finished steps count whole, the running one by its packages when known. */
export function progressFraction(progress: JobProgress): number {
  const packages = progress.packages;
  const within = packages && packages.total > 0 ? Math.min(packages.done / packages.total, 1) : 0;
  return Math.min((progress.index - 1 + within) / progress.total, 1);
}

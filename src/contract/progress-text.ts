// A job's progress as text and as a fraction, for the pages and the CLI: apart from the schema in progress.ts, so
// a client that shows progress does not load TypeBox (imger starts in half the time without it).
import type { JobProgress } from './progress.ts';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `1.25 GiB`: binary units, as disks and images are measured. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

/** What the running step has done of what it knows: `120/300 packages`, `1.20 GiB of 3.40 GiB`; '' when nothing. */
export function stepAmount(progress: JobProgress): string {
  if (progress.packages) return `${progress.packages.done}/${progress.packages.total} packages`;
  if (progress.bytes) return `${formatBytes(progress.bytes.done)} of ${formatBytes(progress.bytes.total)}`;
  return '';
}

/** One line for logs and plain output: `step 3/7 packages (120/300 packages)`. */
export function describeProgress(progress: JobProgress): string {
  const amount = stepAmount(progress);
  return `step ${progress.index}/${progress.total} ${progress.step}${amount ? ` (${amount})` : ''}`;
}

/** The running step's share done, 0 to 1, by its packages or else its bytes; 0 when it knows neither. */
export function stepFraction(progress: JobProgress): number {
  const known = progress.packages ?? progress.bytes;
  return known && known.total > 0 ? Math.min(known.done / known.total, 1) : 0;
}

/** How far the build is, 0 to 1: finished steps count whole, the running one by its packages or bytes. */
export function progressFraction(progress: JobProgress): number {
  return Math.min((progress.index - 1 + stepFraction(progress)) / progress.total, 1);
}

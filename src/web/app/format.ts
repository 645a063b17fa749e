/** How the pages write times, durations and sizes; the server sends ISO dates and byte counts. */
import { formatDuration } from '../../client/duration.ts';

const pad = (value: number) => String(value).padStart(2, '0');

/** Local time, to the second, in a fixed shape that sorts and lines up in tables. */
export function formatDate(iso: string | null): string {
  if (iso === null) return '';
  const date = new Date(iso);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

export { formatDuration };

/** The original's "Length": from submission to the end, or until now while the job is not finished. */
export function jobLength(job: { created: string; finished: string | null }, now: number): string {
  const end = job.finished === null ? now : Date.parse(job.finished);
  return formatDuration((end - Date.parse(job.created)) / 1000);
}

export { formatBytes } from '../../contract/progress-text.ts';

/** `a, b ,,c` → `['a', 'b', 'c']`: the lists the forms take as comma-separated text. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

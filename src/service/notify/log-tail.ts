import { buffer } from 'node:stream/consumers';
import type { StoredFile } from '../jobs/index.ts';

/** Only the end of a log is read: a failed build's log can be large, and the mail quotes a few lines. */
const TAIL_BYTES = 64 * 1024;

/** The last `count` lines of a file; none when it is missing (a job that failed before it started building). */
export async function lastLines(file: StoredFile | null, count: number): Promise<string[]> {
  if (!file) return [];
  if (count === 0 || file.size === 0) {
    await file.close();
    return [];
  }
  const start = Math.max(0, file.size - TAIL_BYTES);
  const lines = (await buffer(file.stream({ start, end: file.size - 1 }))).toString('utf8').split('\n');
  if (start > 0) lines.shift();
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(-count);
}

import { open } from 'node:fs/promises';

/** Only the end of a log is read: a failed build's log can be large, and the mail quotes a few lines. */
const TAIL_BYTES = 64 * 1024;

/** The last `count` lines of a file; none when it is missing (a job that failed before it started building). */
export async function lastLines(path: string, count: number): Promise<string[]> {
  if (count === 0) return [];
  const file = await open(path, 'r').catch(() => null);
  if (!file) return [];
  try {
    const { size } = await file.stat();
    const start = Math.max(0, size - TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    await file.read(buffer, 0, buffer.length, start);
    const lines = buffer.toString('utf8').split('\n');
    if (start > 0) lines.shift();
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-count);
  } finally {
    await file.close();
  }
}

import { createWriteStream, statSync, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { BuildEvent } from '../../builder/events.ts';
import { formatEvent, logLines } from '../../builder/publish.ts';

/** `<name>.log` in the job's folder, written line by line as the build goes, so followers see it at once. */
export class JobLog {
  readonly #stream: WriteStream;
  /** A job built again appends to its log: this run's lines start at this byte. */
  readonly #start: number;

  constructor(
    readonly path: string,
    /** A log that cannot be written (disk full, folder removed) is reported; it must not bring the worker down. */
    readonly onError: (error: Error) => void,
  ) {
    this.#start = sizeOf(this.path);
    this.#stream = createWriteStream(this.path, { flags: 'a' }).on('error', this.onError);
  }

  line(text: string): void {
    this.#stream.write(logLines(text));
  }

  event(event: BuildEvent): void {
    this.line(formatEvent(event));
  }

  /**
   * The first line of this run that holds one of the texts (tried in order), with its 1-based number and its
   * text without the timestamp: read back from the file once it is closed, so nothing is kept per line.
   */
  async find(texts: readonly string[]): Promise<{ number: number; text: string } | undefined> {
    const content = await readFile(this.path).catch(() => Buffer.alloc(0));
    const firstLine = content.subarray(0, this.#start).toString('utf8').split('\n').length - 1;
    const lines = content.toString('utf8').split('\n');
    for (const text of texts) {
      const index = lines.findIndex((line, i) => i >= firstLine && line.includes(text));
      if (index >= 0) return { number: index + 1, text: lines[index]!.replace(/^\S+ /, '') };
    }
    return undefined;
  }

  close(): Promise<void> {
    const stream = this.#stream;
    if (stream.closed) return Promise.resolve();
    return new Promise((resolve) => stream.end(resolve));
  }
}

/** Its size only: the earlier runs' lines are counted when the log is read back, if ever, not at every start. */
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

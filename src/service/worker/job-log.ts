import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { BuildEvent } from '../../builder/events.ts';
import { formatEvent } from '../../builder/publish.ts';

/** `<name>.log` in the job's folder, written line by line as the build goes, so followers see it at once. */
export class JobLog {
  readonly #stream: WriteStream;
  /** A job built again appends to its log: this run's lines start here (0-based). */
  readonly #firstLine: number;

  constructor(
    readonly path: string,
    /** A log that cannot be written (disk full, folder removed) is reported; it must not bring the worker down. */
    readonly onError: (error: Error) => void,
  ) {
    this.#firstLine = linesIn(this.path);
    this.#stream = createWriteStream(this.path, { flags: 'a' }).on('error', this.onError);
  }

  line(text: string): void {
    this.#stream.write(`${new Date().toISOString()} ${text}\n`);
  }

  event(event: BuildEvent): void {
    this.line(formatEvent(event));
  }

  /**
   * The first line of this run that holds one of the texts (tried in order), with its 1-based number and its
   * text without the timestamp: read back from the file once it is closed, so nothing is kept per line.
   */
  async find(texts: readonly string[]): Promise<{ number: number; text: string } | undefined> {
    const lines = (await readFile(this.path, 'utf8').catch(() => '')).split('\n');
    for (const text of texts) {
      const index = lines.findIndex((line, i) => i >= this.#firstLine && line.includes(text));
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

function linesIn(path: string): number {
  try {
    const text = readFileSync(path, 'utf8');
    return text === '' ? 0 : text.split('\n').length - 1;
  } catch {
    return 0;
  }
}

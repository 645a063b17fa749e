import { createWriteStream, type WriteStream } from 'node:fs';
import type { BuildEvent } from '../../builder/events.ts';
import { formatEvent } from '../../builder/publish.ts';

/** `<name>.log` in the job's folder, written line by line as the build goes, so followers see it at once. */
export class JobLog {
  readonly #stream: WriteStream;

  constructor(
    readonly path: string,
    /** A log that cannot be written (disk full, folder removed) is reported; it must not bring the worker down. */
    readonly onError: (error: Error) => void,
  ) {
    this.#stream = createWriteStream(this.path, { flags: 'a' }).on('error', this.onError);
  }

  line(text: string): void {
    this.#stream.write(`${new Date().toISOString()} ${text}\n`);
  }

  event(event: BuildEvent): void {
    this.line(formatEvent(event));
  }

  close(): Promise<void> {
    const stream = this.#stream;
    if (stream.closed) return Promise.resolve();
    return new Promise((resolve) => stream.end(resolve));
  }
}

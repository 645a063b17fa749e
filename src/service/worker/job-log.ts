import { createWriteStream, type WriteStream } from 'node:fs';
import { formatEvent } from '../../builder/builder.ts';
import type { BuildEvent } from '../../builder/events.ts';

/** `<name>.log` in the job's folder, written line by line as the build goes, so followers see it at once. */
export class JobLog {
  #stream: WriteStream;

  constructor(
    readonly path: string,
    /** A log that cannot be written (disk full, folder removed) is reported; it must not bring the worker down. */
    readonly onError: (error: Error) => void,
  ) {
    this.#stream = this.#open();
  }

  #open(): WriteStream {
    return createWriteStream(this.path, { flags: 'a' }).on('error', this.onError);
  }

  line(text: string): void {
    this.#stream.write(`${new Date().toISOString()} ${text}\n`);
  }

  event(event: BuildEvent): void {
    this.line(formatEvent(event));
  }

  /**
   * Writes go on in the file now at the path: the builder publishes its own copy of the log over it when the
   * build ends, and lines written to the replaced file would be lost.
   */
  async reopen(): Promise<void> {
    await this.close();
    this.#stream = this.#open();
  }

  close(): Promise<void> {
    const stream = this.#stream;
    if (stream.closed) return Promise.resolve();
    return new Promise((resolve) => stream.end(resolve));
  }
}

import { buffer } from 'node:stream/consumers';
import type { FastifyReply } from 'fastify';
import { isFinished, type JobService, type StoredFile } from '../jobs/index.ts';
import { KEEPALIVE_MS, openEventStream, serverSentEvent } from './event-stream.ts';

const MAX_READ = 1024 * 1024;

/** How often the log file is looked at: lines reach the client well within a second. */
const POLL_MS = 250;
/** The job's state is read less often than the file; its end only matters once the file stops growing. */
const STATUS_EVERY = 4;

/**
 * Streams the log from `offset` as Server-Sent Events until the job ends: `log` events carry new text (the
 * event id is the byte offset after it, so a reconnect can resume with Last-Event-ID), then one `end` event
 * with the final status. The file is polled rather than watched with inotify, which misses writes on NFS, where
 * a shared base_dir often lives.
 */
export async function streamLog(
  reply: FastifyReply,
  jobs: JobService,
  jobId: string,
  /** The log as the artifact store opens it now; null while there is none. */
  openLog: () => Promise<StoredFile | null>,
  offset: number,
  /** Aborted when the server shuts down, which would otherwise wait for the job to end. */
  shutdown: AbortSignal,
): Promise<void> {
  const out = openEventStream(reply);
  let closed = false;
  out.on('close', () => {
    closed = true;
  });
  let position = offset;
  let pending = Buffer.alloc(0);
  let lastWrite = Date.now();

  const send = (text: string) => {
    out.write(text);
    lastWrite = Date.now();
  };

  /** Reads at most 1 MiB more; false when there was nothing new. */
  const readMore = async (): Promise<boolean> => {
    const file = await openLog().catch(() => null);
    if (!file) return false;
    if (file.size <= position) {
      await file.close();
      return false;
    }
    const chunk = await buffer(
      file.stream({ start: position, end: Math.min(file.size, position + MAX_READ) - 1 }),
    );
    position += chunk.length;
    pending = Buffer.concat([pending, chunk]);
    // Only whole lines go out, so a UTF-8 character is never split between events.
    const lastNewline = pending.lastIndexOf(0x0a);
    if (lastNewline < 0) return true;
    flush(
      pending.subarray(0, lastNewline + 1).toString('utf8'),
      position - (pending.length - lastNewline - 1),
    );
    pending = pending.subarray(lastNewline + 1);
    return true;
  };

  const flush = (text: string, endOffset: number) => {
    send(serverSentEvent('log', text.replace(/(\r\n|\r|\n)$/, ''), endOffset));
  };

  for (let tick = 0; !closed && !shutdown.aborted; tick++) {
    await readMore();
    if (tick % STATUS_EVERY === 0) {
      const job = await jobs.get(jobId);
      if (!job || isFinished(job.status)) {
        // The job has ended, so the file is complete: send all of it, however long, before `end`.
        while (!closed && (await readMore()));
        if (pending.length > 0) flush(pending.toString('utf8'), position);
        send(serverSentEvent('end', job?.status ?? 'REMOVED'));
        break;
      }
    }
    if (Date.now() - lastWrite > KEEPALIVE_MS) send(': keep-alive\n\n');
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  out.end();
}

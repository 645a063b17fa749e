import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { JobChange, JobChangeFeed } from '../jobs/index.ts';
import { KEEPALIVE_MS, openEventStream, serverSentEvent } from './event-stream.ts';

/**
 * How long changes are gathered before they go out. Every client gets every change, so a change costs a write per
 * client: gathered, a burst of submissions costs one write per client per batch, not per change, and each batch is
 * serialised once for all. At 25 ms, 300 clients still cost a submission 1.5-1.7x its server time (socket writes on
 * loopback also do the reader's side of TCP); at 100 ms 1.1-1.4x, and 250 ms measured no better. A user does not
 * see 100 ms: the pages gather changes for 250 ms before they redraw, and other processes' changes take up to the
 * feed's poll anyway.
 */
const BATCH_MS = 100;

/** What a client may leave unread before it is cut off: thousands of changes. */
const MAX_UNREAD_BYTES = 1024 * 1024;

export interface ChangeBroadcast {
  /**
   * Streams every job change as a Server-Sent Event `job` (JSON data, see JobChangeSchema) until the client goes
   * or the server shuts down. There are no event ids to resume from: a client that reconnects reads the jobs it
   * shows again, since it may have missed changes meanwhile.
   */
  stream(reply: FastifyReply, shutdown: AbortSignal): Promise<void>;
}

/** One subscription to the feed for all the clients of the change stream, while there are any. */
export function createChangeBroadcast(feed: JobChangeFeed): ChangeBroadcast {
  const clients = new Set<ServerResponse>();
  /** Clients joining or streaming: the feed is followed while there is one. */
  let members = 0;
  let subscription: Promise<() => void> | undefined;
  let batch = '';
  let flushing: NodeJS.Timeout | undefined;

  const flush = () => {
    flushing = undefined;
    // Encoded once: a string written to each client would be encoded for each.
    const bytes = Buffer.from(batch);
    batch = '';
    for (const client of clients) {
      // A client that stopped reading would hold every change from then on in this server's memory; cut off,
      // it reconnects and reads its jobs again, as after any break.
      if (client.writableLength > MAX_UNREAD_BYTES) client.destroy();
      else client.write(bytes);
    }
  };
  const join = async () => {
    members += 1;
    // A listener of its own each time: an earlier subscription may still be on its way out.
    subscription ??= feed.subscribe((change: JobChange) => {
      batch += serverSentEvent('job', JSON.stringify(change));
      flushing ??= setTimeout(flush, BATCH_MS);
    });
    await subscription;
  };
  const leave = () => {
    members -= 1;
    if (members > 0) return;
    const ending = subscription;
    subscription = undefined;
    clearTimeout(flushing);
    flushing = undefined;
    batch = '';
    void ending?.then((unsubscribe) => unsubscribe());
  };

  return {
    async stream(reply, shutdown) {
      // Subscribed before the headers go out, so a client that sees them connected misses no later change.
      try {
        await join();
      } catch (error) {
        leave();
        throw error;
      }
      const stream = openEventStream(reply);
      clients.add(stream);
      const keepalive = setInterval(() => stream.write(': keep-alive\n\n'), KEEPALIVE_MS);
      let finish = () => {};
      const finished = new Promise<void>((resolve) => {
        finish = resolve;
      });
      stream.on('close', finish);
      shutdown.addEventListener('abort', finish);
      if (stream.destroyed || shutdown.aborted) finish();
      await finished;
      shutdown.removeEventListener('abort', finish);
      clearInterval(keepalive);
      clients.delete(stream);
      leave();
      stream.end();
    },
  };
}

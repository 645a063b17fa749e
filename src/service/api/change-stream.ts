import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { JobChangeFeed } from '../jobs/index.ts';
import { KEEPALIVE_MS, openEventStream, serverSentEvent } from './event-stream.ts';

/**
 * Streams every job change as a Server-Sent Event `job` (JSON data, see JobChangeSchema) until the client goes
 * or the server shuts down. There are no event ids to resume from: a client that reconnects reads the jobs it
 * shows again, since it may have missed changes meanwhile.
 */
export async function streamJobChanges(
  reply: FastifyReply,
  feed: JobChangeFeed,
  /** Aborted when the server shuts down, which would otherwise wait for every client to go. */
  shutdown: AbortSignal,
): Promise<void> {
  let out: ServerResponse | undefined;
  // Subscribed before the headers go out, so a client that sees them connected misses no later change.
  const unsubscribe = await feed.subscribe((change) =>
    out?.write(serverSentEvent('job', JSON.stringify(change))),
  );
  const stream = openEventStream(reply);
  out = stream;
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
  unsubscribe();
  stream.end();
}

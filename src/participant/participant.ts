/**
 * The BOSS `build_image` participant: consumes ruote workitems from the durable queue named after it, builds each
 * through IMG's REST API like any other client, and publishes the workitem back, persistent, to the default
 * exchange with routing key `ruote_workitems`, as a ruote-amqp participant does.
 *
 * No workitem is lost: a message is acked only after its reply is confirmed by the broker, so a participant
 * stopped mid-build leaves it to be redelivered. The job is tagged with a key derived from the workitem's fei
 * (`workitemTag`), so the next participant finds that job and waits for it instead of building again.
 */
import amqp, { type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { type ApiClient, ApiError, type Job } from '../client/api-client.ts';
import {
  isWorkitem,
  jobError,
  readBuildRequest,
  type Workitem,
  withResult,
  workitemTag,
} from './workitem.ts';

/** Where ruote's engine listens for replies. */
export const REPLY_ROUTING_KEY = 'ruote_workitems';

/** pino's (and so Fastify's) logger shape, so `imger serve` hands its own in. */
export interface ParticipantLog {
  info(data: object, message: string): void;
  warn(data: object, message: string): void;
  error(data: object, message: string): void;
}

export interface ParticipantOptions {
  /** amqp://USER:PASS@HOST:PORT/VHOST of BOSS's broker. */
  amqpUrl: string;
  /** The participant's name: the durable queue it consumes. */
  name: string;
  client: ApiClient;
  /** The IMG queue its jobs go to. */
  queue: string;
  /**
   * The server's URL as BOSS's users reach it, for the links in replies (unless an admin set the site's base URL in
   * the pages, which wins); default: the client's server.
   */
  linkBase?: string;
  /** Workitems handled at once. */
  prefetch: number;
  pollMs: number;
  log: ParticipantLog;
}

export interface RunningParticipant {
  /** Resolves once the broker was reached and the consumer is attached. */
  ready: Promise<void>;
  /** Stops consuming; workitems still being handled go back to the queue unacknowledged. */
  stop(): Promise<void>;
}

/** Calls that failed for reasons of the moment, not of the workitem: the workitem is tried again later. */
function isTransient(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.status === 0 || error.status === 401 || error.status === 403 || error.status >= 500)
  );
}

export async function startParticipant(options: ParticipantOptions): Promise<RunningParticipant> {
  const { client, log, name } = options;
  let stopping = false;
  const inFlight = new Set<AbortController>();
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const connection = await amqp.connect(options.amqpUrl, {
    recovery: { waitForConnect: false, initialDelay: 500, maxDelay: 10_000 },
  });
  let current: ChannelModel | undefined;
  connection.on('connect', (model: ChannelModel) => {
    current = model;
    void attach(model);
  });
  connection.on('disconnect', (error: Error) => {
    current = undefined;
    log.warn({ err: error }, 'BOSS broker connection lost; reconnecting');
  });
  connection.on('connect-failed', (error: Error) =>
    log.warn({ err: error }, 'BOSS broker not reachable yet'),
  );
  connection.on('error', (error: Error) => log.error({ err: error }, 'BOSS broker connection error'));

  async function attach(model: ChannelModel): Promise<void> {
    try {
      const channel = await model.createConfirmChannel();
      const lost = new AbortController();
      channel.on('error', (error: Error) => log.error({ err: error }, 'BOSS channel error'));
      channel.on('close', () => {
        // Its unacked workitems are back in the queue; whoever handles them now must not reply a second time.
        lost.abort(new Error('the channel closed'));
        // A channel the broker closed on a live connection is reopened; a new connection attaches by itself.
        if (!stopping && current === model)
          setTimeout(() => !stopping && current === model && void attach(model), 1000);
      });
      await channel.prefetch(options.prefetch);
      await channel.assertQueue(name, { durable: true });
      await channel.consume(name, (message) => {
        if (message) void receive(channel, message, lost.signal);
      });
      log.info({ participant: name, queue: options.queue }, 'BOSS participant consuming');
      markReady();
    } catch (error) {
      log.error({ err: error }, 'BOSS participant could not attach; it tries again on the next connection');
    }
  }

  async function receive(channel: ConfirmChannel, message: ConsumeMessage, lost: AbortSignal): Promise<void> {
    const workitem = parseWorkitem(message);
    if (!workitem) {
      log.error(
        { body: message.content.toString('utf8').slice(0, 200) },
        'BOSS message is not a JSON workitem; rejected without requeue',
      );
      settle(() => channel.nack(message, false, false));
      return;
    }
    const abort = new AbortController();
    const signal = AbortSignal.any([abort.signal, lost]);
    inFlight.add(abort);
    try {
      const reply = await answer(workitem, signal);
      if (signal.aborted) return;
      if (reply === 'retry-later') {
        setTimeout(() => settle(() => channel.nack(message, false, true)), options.pollMs);
        return;
      }
      if (reply) await publishReply(channel, reply);
      settle(() => channel.ack(message));
    } catch (error) {
      // Only publishing fails here: the broker refused the reply, or the channel is gone (and so is the workitem).
      log.warn(
        { err: error, fei: workitem.fei },
        'BOSS reply not published; the workitem goes back to the queue',
      );
      setTimeout(() => settle(() => channel.nack(message, false, true)), options.pollMs);
    } finally {
      inFlight.delete(abort);
    }
  }

  /** The reply; null for none; `retry-later` when the failure was of the moment (the server away, say). */
  async function answer(workitem: Workitem, signal: AbortSignal): Promise<Workitem | null | 'retry-later'> {
    try {
      return await handle(workitem, signal);
    } catch (error) {
      if (signal.aborted) return null;
      if (isTransient(error)) {
        log.warn(
          { err: error, fei: workitem.fei },
          'BOSS workitem failed for now; it goes back to the queue',
        );
        return 'retry-later';
      }
      // Anything else would fail again on every redelivery: the workflow is told rather than left waiting.
      log.error({ err: error, fei: workitem.fei }, 'BOSS workitem could not be handled; answered ERROR');
      const reason = `build_image failed: ${(error as Error).message}`;
      return withResult(workitem, { job: null, error: reason, url: (path) => client.url(path) });
    }
  }

  /** The reply to send, or null when the workitem asked for none (`params.forget`). */
  async function handle(workitem: Workitem, signal: AbortSignal): Promise<Workitem | null> {
    // The base URL an admin set in the pages wins over this participant's own img.conf, until cleared there.
    const site = await client.site();
    const linkBase = site.base_url_from === 'pages' ? site.base_url : options.linkBase;
    const url = (path: string) =>
      linkBase ? new URL(path.replace(/^\//, ''), linkBase).href : client.url(path);
    const request = readBuildRequest(workitem);
    if (!request.ok) {
      log.warn({ fei: workitem.fei, error: request.error }, 'BOSS workitem refused');
      return withResult(workitem, { job: null, error: request.error, url });
    }
    const tag = workitemTag(workitem);
    let job: Job;
    const earlier = (await client.list({ tag, limit: 1 })).jobs[0];
    if (earlier) {
      log.info({ job: earlier.id, fei: workitem.fei }, 'BOSS workitem redelivered: waiting for its job');
      job = await client.get(earlier.id);
    } else {
      try {
        job = await client.submit({ ...request.submit, queue: options.queue, tags: ['boss', tag] });
      } catch (error) {
        if (!(error instanceof ApiError) || isTransient(error)) throw error;
        return withResult(workitem, { job: null, error: refusal(error), url });
      }
      log.info({ job: job.id, fei: workitem.fei, style: request.style }, 'BOSS workitem submitted');
    }
    if (request.forget) return null;
    const finished = await waitForEnd(job.id, signal);
    if (!finished)
      return withResult(workitem, { job, error: `job ${job.id} was deleted before it ended`, url });
    return withResult(workitem, { job: finished, error: jobError(finished), url });
  }

  /** The finished job, or null if it was deleted; a server that is away for a while is waited for. */
  async function waitForEnd(id: string, signal: AbortSignal): Promise<Job | null> {
    for (;;) {
      try {
        return await client.waitFor(id, { intervalMs: options.pollMs, signal });
      } catch (error) {
        if (error instanceof ApiError && error.code === 'not-found') return null;
        if (signal.aborted || !isTransient(error)) throw error;
        log.warn({ err: error, job: id }, 'IMG server not answering; still waiting for the job');
        await new Promise((resolve) => setTimeout(resolve, options.pollMs));
      }
    }
  }

  function publishReply(channel: ConfirmChannel, reply: Workitem): Promise<void> {
    return new Promise((resolve, reject) => {
      channel.publish(
        '',
        REPLY_ROUTING_KEY,
        Buffer.from(JSON.stringify(reply)),
        { persistent: true, contentType: 'application/json' },
        (error: unknown) => (error ? reject(error) : resolve()),
      );
    });
  }

  void warnIfNotBuilt(options);
  return {
    ready,
    async stop() {
      stopping = true;
      for (const abort of inFlight) abort.abort(new Error('the participant is stopping'));
      await connection.close().catch(() => {});
    },
  };
}

/** A queue that does not start builds keeps the participant's jobs waiting forever: said once, at start. */
async function warnIfNotBuilt({ client, queue, log }: ParticipantOptions): Promise<void> {
  try {
    const found = (await client.queues()).find((candidate) => candidate.name === queue);
    if (!found)
      log.error({ queue }, 'the IMG queue of the BOSS participant does not exist: submissions will fail');
    else if (!found.starts_builds) {
      log.warn(
        { queue },
        'the IMG queue of the BOSS participant does not start builds: its jobs wait until an admin changes that',
      );
    }
  } catch (error) {
    log.warn({ err: error }, 'could not look at the IMG queues yet');
  }
}

function parseWorkitem(message: ConsumeMessage): Workitem | null {
  try {
    const value: unknown = JSON.parse(message.content.toString('utf8'));
    return isWorkitem(value) ? value : null;
  } catch {
    return null;
  }
}

/** The server's refusal as the workitem's error: its message, and the kickstart's lines when that was the cause. */
function refusal(error: ApiError): string {
  const lines = error.kickstartErrors.map(({ line, message }) => `line ${line}: ${message}`);
  return [`IMG refused the job: ${error.message}`, ...lines].join('; ');
}

/** Acking or rejecting on a channel that closed meanwhile throws; the broker has requeued the message then. */
function settle(action: () => void): void {
  try {
    action();
  } catch {
    // See above: nothing is lost.
  }
}

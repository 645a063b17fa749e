import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import type { Job, JobPublisher } from '../jobs/index.ts';
import type { ConsumeOptions, Consumer, Delivery, QueueTransport } from './transport.ts';

export interface RabbitTransportOptions {
  /** amqp://USER:PASS@HOST:PORT/VHOST */
  url: string;
  /** Prefix of the broker queue names, so that two installations (or two test runs) can share a vhost. */
  queuePrefix?: string;
  /** A publish not confirmed by then counts as failed, so the job stays in the outbox for the relay. */
  confirmTimeoutMs?: number;
  /** A message whose claim failed (database unreachable) goes back to the broker after this pause, not at once. */
  retryPauseMs?: number;
  onError?: (error: unknown, context: string) => void;
}

export interface RabbitTransport extends QueueTransport {
  readonly publish: JobPublisher;
  /** Runs after every (re)connection: the outbox relay drains then. Returns the unsubscribe function. */
  onConnect(listener: () => void): () => void;
  /**
   * Runs when the broker cancels a consumer of an IMG queue because its broker queue is gone (deleted by an
   * admin, lost with a node), and with it the messages of the jobs that wait there: they must be published again.
   * The queue is declared again first. Returns the unsubscribe function.
   */
  onQueueLost(listener: (imgQueue: string) => void): () => void;
  /** Resolves once the broker was reached the first time. */
  waitForConnect(): Promise<void>;
}

/** The broker queue of an IMG queue: durable, one per IMG queue, holding job ids. */
export function brokerQueueName(imgQueue: string, prefix = 'img.'): string {
  return `${prefix}${imgQueue}`;
}

/**
 * RabbitMQ as the transport: persistent messages through publisher confirms, manual ack once the job's final
 * state is stored, a channel-wide prefetch equal to the worker's slots, and reconnection with back-off. A message
 * only names a job; the claim in the database decides whether it is still to be built, so a message delivered
 * twice, or for a job cancelled meanwhile, is dropped rather than built again.
 */
export async function createRabbitTransport(options: RabbitTransportOptions): Promise<RabbitTransport> {
  const onError = options.onError ?? (() => {});
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 5000;
  const retryPauseMs = options.retryPauseMs ?? 1000;
  const connection = await amqp.connect(options.url, {
    // Without it Nagle's algorithm holds each small frame for the peer's delayed ACK: ~40 ms per dispatch.
    noDelay: true,
    recovery: { waitForConnect: false, initialDelay: 200, maxDelay: 5000 },
  });
  let model: ChannelModel | undefined;
  let publisher: Promise<ConfirmChannel> | undefined;
  const declared = new WeakMap<Channel, Set<string>>();
  const connectListeners = new Set<() => void>();
  const queueLostListeners = new Set<(imgQueue: string) => void>();
  const consumers = new Set<RabbitConsumer>();

  connection.on('connect', (connected: ChannelModel) => {
    model = connected;
    publisher = undefined;
    for (const consumer of consumers) void consumer.attach(connected);
    for (const listener of connectListeners) listener();
  });
  connection.on('disconnect', (error: Error) => {
    model = undefined;
    publisher = undefined;
    onError(error, 'RabbitMQ connection lost; reconnecting');
  });
  connection.on('connect-failed', (error: Error) => onError(error, 'RabbitMQ connection attempt failed'));
  connection.on('error', (error: Error) => onError(error, 'RabbitMQ connection error'));

  async function declare(channel: Channel, imgQueue: string): Promise<string> {
    const name = brokerQueueName(imgQueue, options.queuePrefix);
    const names = declared.get(channel) ?? new Set<string>();
    declared.set(channel, names);
    if (!names.has(name)) {
      await channel.assertQueue(name, { durable: true });
      names.add(name);
    }
    return name;
  }

  function publisherChannel(): Promise<ConfirmChannel> {
    // Never waits for a broker that is down: the caller's outbox row is the better place for the job then.
    if (!model) return Promise.reject(new Error('RabbitMQ is not connected'));
    if (!publisher) {
      const opening = model.createConfirmChannel().then((channel) => {
        channel.on('error', (error: Error) => onError(error, 'RabbitMQ publisher channel error'));
        // A mandatory message no queue takes (its queue was deleted) comes back before its confirm.
        channel.on('return', (message: ConsumeMessage) => {
          returned.add(String(message.properties.messageId));
          declared.get(channel)?.delete(message.fields.routingKey);
        });
        channel.on('close', () => {
          if (publisher === opening) publisher = undefined;
        });
        return channel;
      });
      opening.catch(() => {
        if (publisher === opening) publisher = undefined;
      });
      publisher = opening;
    }
    return publisher;
  }

  /** Ids of messages the broker returned as unroutable, until their confirm arrives. */
  const returned = new Set<string>();

  async function publish(job: Pick<Job, 'id' | 'queue'>): Promise<void> {
    const channel = await publisherChannel();
    const name = await declare(channel, job.queue);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`RabbitMQ did not confirm job ${job.id} within ${confirmTimeoutMs} ms`)),
        confirmTimeoutMs,
      );
      // Mandatory: a broker queue deleted since it was declared here would otherwise confirm a message it drops.
      channel.sendToQueue(
        name,
        Buffer.from(job.id),
        { persistent: true, mandatory: true, messageId: job.id, contentType: 'text/plain' },
        (error: unknown) => {
          clearTimeout(timer);
          const dropped = returned.delete(job.id);
          if (error) reject(error instanceof Error ? error : new Error(`RabbitMQ refused job ${job.id}`));
          else if (dropped)
            reject(new Error(`RabbitMQ has no queue ${name} for job ${job.id}; declaring it again`));
          else resolve();
        },
      );
    });
  }

  class RabbitConsumer implements Consumer {
    #channel: Channel | undefined;
    /** The broker consumer of each IMG queue on the current channel. */
    #tags = new Map<string, string>();
    #queues: readonly string[];
    #stopped = false;
    /**
     * The channel of each delivery not yet acked. Those of a channel that closed (a lost connection, a channel the
     * broker closed) are still building, so the current channel's prefetch leaves their slots out.
     */
    #open = new Set<{ channel: Channel }>();
    /** Attaching, queue changes and stopping change the channel's consumers one at a time. */
    #changes: Promise<void> = Promise.resolve();

    constructor(
      readonly options: ConsumeOptions,
      readonly onJob: (delivery: Delivery) => void,
    ) {
      this.#queues = options.queues;
    }

    /** Opens this consumer's channel on a (new) connection; deliveries of a lost channel come back to a new one. */
    async attach(connected: ChannelModel): Promise<void> {
      try {
        const channel = await connected.createChannel();
        channel.on('error', (error: Error) => onError(error, 'RabbitMQ consumer channel error'));
        channel.on('close', () => {
          if (this.#channel !== channel) return;
          this.#channel = undefined;
          // A channel closed by an error on a live connection is reopened; a lost connection reattaches on 'connect'.
          if (!this.#stopped && model === connected) {
            setTimeout(
              () => model === connected && !this.#stopped && void this.attach(connected),
              retryPauseMs,
            );
          }
        });
        // Global: one limit for the channel, however many IMG queues it consumes.
        await channel.prefetch(Math.max(1, this.#free(channel)), true);
        this.#channel = channel;
        // After any change still under way on the old channel, whose consumers died with it.
        await this.#change(async () => {
          this.#tags = new Map();
          await this.#match(channel);
        });
      } catch (error) {
        // The connection dropped while attaching; the next 'connect' attaches again.
        onError(error, 'RabbitMQ consumer could not attach');
      }
    }

    async setQueues(queues: readonly string[]): Promise<void> {
      this.#queues = [...queues];
      const channel = this.#channel;
      // Without a channel, the next attach consumes the new queues.
      if (!channel) return;
      await this.#change(() => this.#match(channel)).catch((error: unknown) =>
        onError(error, 'RabbitMQ consumer could not change its queues'),
      );
    }

    /** Slots not taken by the deliveries of earlier channels. */
    #free(channel: Channel): number {
      let carried = 0;
      for (const delivery of this.#open) if (delivery.channel !== channel) carried += 1;
      return this.options.slots - carried;
    }

    /**
     * Consumes every wanted queue not yet consumed on the channel, and cancels the consumers of the others; while
     * builds of earlier channels fill every slot, consumes nothing (a prefetch of 0 would mean no limit).
     */
    async #match(channel: Channel): Promise<void> {
      if (this.#stopped || this.#channel !== channel) return;
      const wanted = this.#free(channel) > 0 ? this.#queues : [];
      for (const imgQueue of wanted) {
        if (this.#tags.has(imgQueue)) continue;
        const name = await declare(channel, imgQueue);
        const { consumerTag } = await channel.consume(name, (message) => {
          if (message) void this.#receive(channel, message);
          else void this.#lost(channel, imgQueue);
        });
        this.#tags.set(imgQueue, consumerTag);
      }
      for (const [imgQueue, tag] of this.#tags) {
        if (wanted.includes(imgQueue)) continue;
        await channel.cancel(tag);
        this.#tags.delete(imgQueue);
      }
    }

    /** The broker cancelled the consumer: its queue is gone, with the messages of the jobs waiting there. */
    async #lost(channel: Channel, imgQueue: string): Promise<void> {
      const name = brokerQueueName(imgQueue, options.queuePrefix);
      onError(new Error(`RabbitMQ cancelled the consumer of ${name}`), `${name} is gone; declaring it again`);
      this.#tags.delete(imgQueue);
      declared.get(channel)?.delete(name);
      try {
        await this.#change(() => this.#match(channel));
        for (const listener of queueLostListeners) listener(imgQueue);
      } catch (error) {
        // The channel closed meanwhile: the next one consumes the queue again, and declares it.
        onError(error, `RabbitMQ consumer could not consume ${name} again`);
      }
    }

    /** A build of an earlier channel ended: its slot goes back to the current channel. */
    async #regain(): Promise<void> {
      const channel = this.#channel;
      if (!channel || this.#stopped) return;
      await this.#change(async () => {
        await channel.prefetch(Math.max(1, this.#free(channel)), true);
        await this.#match(channel);
      }).catch((error: unknown) => onError(error, 'RabbitMQ consumer could not take a freed slot back'));
    }

    #change(change: () => Promise<void>): Promise<void> {
      const done = this.#changes.then(change);
      this.#changes = done.catch(() => {});
      return done;
    }

    /** A message prefetched from a queue this consumer no longer wants goes back for whoever still builds it. */
    #wanted(message: ConsumeMessage): boolean {
      return this.#queues.some(
        (imgQueue) => brokerQueueName(imgQueue, options.queuePrefix) === message.fields.routingKey,
      );
    }

    async #receive(channel: Channel, message: ConsumeMessage): Promise<void> {
      const settle = (how: 'ack' | 'requeue'): void => {
        try {
          if (how === 'ack') channel.ack(message);
          else channel.nack(message, false, true);
        } catch {
          // The channel closed: the broker requeues the message, and its claim is refused next time.
        }
      };
      if (this.#stopped || !this.#wanted(message)) return settle('requeue');
      const jobId = message.content.toString('utf8');
      let job: Job | null;
      try {
        job = await this.options.jobs.claimById(jobId, this.options.workerId);
      } catch (error) {
        onError(error, `claiming job ${jobId} failed; the message goes back to the queue`);
        setTimeout(() => settle('requeue'), retryPauseMs);
        return;
      }
      // Cancelled, removed, finished or building elsewhere: the database says there is nothing to build.
      if (!job) return settle('ack');
      const delivery = { channel };
      this.#open.add(delivery);
      let acked = false;
      this.onJob({
        job,
        ack: async () => {
          if (acked) return;
          acked = true;
          this.#open.delete(delivery);
          settle('ack');
          if (channel !== this.#channel) await this.#regain();
        },
      });
    }

    async stop(): Promise<void> {
      this.#stopped = true;
      consumers.delete(this);
      // Cancel, awaited: the channel stays open for the acks of jobs still building.
      await this.#change(async () => {
        for (const tag of this.#tags.values()) await this.#channel?.cancel(tag).catch(() => {});
        this.#tags.clear();
      });
    }
  }

  return {
    publish,
    async consume(consumeOptions, onJob) {
      const consumer = new RabbitConsumer(consumeOptions, onJob);
      consumers.add(consumer);
      if (model) await consumer.attach(model);
      return consumer;
    },
    onConnect(listener) {
      connectListeners.add(listener);
      return () => connectListeners.delete(listener);
    },
    onQueueLost(listener) {
      queueLostListeners.add(listener);
      return () => queueLostListeners.delete(listener);
    },
    async waitForConnect() {
      await connection.waitForConnect();
    },
    async close() {
      for (const consumer of [...consumers]) await consumer.stop();
      await connection.close();
    },
  };
}

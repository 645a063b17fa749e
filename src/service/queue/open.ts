import { amqpUrl, type Config } from '../config/index.ts';
import { openService, type Service } from '../open.ts';
import { createEmbeddedTransport } from './embedded.ts';
import { startOutboxRelay } from './outbox-relay.ts';
import { createRabbitTransport } from './rabbitmq.ts';
import type { QueueTransport } from './transport.ts';

export interface QueuedService {
  service: Service;
  transport: QueueTransport;
  close(): Promise<void>;
}

/**
 * The service with the transport img.conf asks for wired in: with RabbitMQ the jobs module publishes each job it
 * stores, and the outbox relay publishes those stored while the broker was away.
 */
export async function openQueuedService(
  config: Config,
  onError: (error: unknown, context: string) => void,
): Promise<QueuedService> {
  // Servers and workers wait for a database that is not there yet, rather than fail to start.
  // The driver's own error says why (refused, unknown host): that is what an admin needs to read.
  const onWaiting = (error: unknown) =>
    onError((error as Error).cause ?? error, 'the database cannot be reached yet; waiting for it');
  const onBackgroundFailure = (error: unknown) =>
    onError(
      error,
      "SQLite's background connection stopped; commits checkpoint the log and long reads run here from now on",
    );
  if (config.amqp.amqp_host === '') {
    const service = await openService(config, { onWaiting, onBackgroundFailure });
    const transport = createEmbeddedTransport({
      onError: (error) => onError(error, 'claiming a job failed'),
    });
    return {
      service,
      transport,
      async close() {
        await transport.close();
        await service.close();
      },
    };
  }
  const transport = await createRabbitTransport({ url: amqpUrl(config.amqp), onError });
  const service = await openService(config, { publish: transport.publish, onWaiting, onBackgroundFailure });
  const relay = startOutboxRelay({
    db: service.database.db,
    publish: transport.publish,
    onError: (error) => onError(error, 'publishing the outbox failed'),
  });
  const offConnect = transport.onConnect(() => void relay.drain().catch(() => {}));
  const offLost = transport.onQueueLost((queue) => {
    service.jobs
      .republishWaiting(queue)
      .then(() => relay.drain())
      .catch((error: unknown) =>
        onError(error, `publishing the waiting jobs of queue ${queue} again failed`),
      );
  });
  return {
    service,
    transport,
    async close() {
      offConnect();
      offLost();
      await relay.stop();
      await transport.close();
      await service.close();
    },
  };
}

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
  if (config.amqp.amqp_host === '') {
    const service = await openService(config);
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
  const service = await openService(config, { publish: transport.publish });
  const relay = startOutboxRelay({
    db: service.database.db,
    publish: transport.publish,
    onError: (error) => onError(error, 'publishing the outbox failed'),
  });
  const offConnect = transport.onConnect(() => void relay.drain().catch(() => {}));
  return {
    service,
    transport,
    async close() {
      offConnect();
      await relay.stop();
      await transport.close();
      await service.close();
    },
  };
}

/** How jobs travel from the jobs table to the workers: embedded (the table itself) or RabbitMQ. */
export { amqpUrl } from '../config/index.ts';
export { createEmbeddedTransport, type EmbeddedTransportOptions } from './embedded.ts';
export { openQueuedService, type QueuedService } from './open.ts';
export { type OutboxRelay, type OutboxRelayOptions, startOutboxRelay } from './outbox-relay.ts';
export {
  brokerQueueName,
  createRabbitTransport,
  type RabbitTransport,
  type RabbitTransportOptions,
} from './rabbitmq.ts';
export type { ConsumeOptions, Consumer, Delivery, QueueTransport } from './transport.ts';

import { amqpUrl, type Config } from '../service/config/index.ts';
import type { ParticipantOptions } from './participant.ts';

/** What img.conf decides about a participant; the caller adds the client, the logger and maybe another name. */
export function participantSettings(config: Config): Omit<ParticipantOptions, 'client' | 'log'> {
  return {
    amqpUrl: amqpUrl(config.boss),
    name: config.boss.participant,
    queue: config.boss.queue,
    prefetch: config.boss.prefetch,
    pollMs: config.boss.poll_seconds * 1000,
    ...(config.notify.base_url === '' ? {} : { linkBase: config.notify.base_url }),
  };
}

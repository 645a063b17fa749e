import type { Config } from './keys.ts';

/** An `[amqp]` or `[boss]` section as a URL; the caller decides what an empty amqp_host means. */
export function amqpUrl(amqp: Config['amqp'] | Config['boss']): string {
  const auth = `${encodeURIComponent(amqp.amqp_user)}:${encodeURIComponent(amqp.amqp_pwd)}`;
  return `amqp://${auth}@${amqp.amqp_host}/${encodeURIComponent(amqp.amqp_vhost)}`;
}

/** img.conf: every key with its default, validated once at start-up into one frozen object. */
export { amqpUrl } from './amqp-url.ts';
export { CONFIG_KEYS, type Config, type Listen, USER_PLACEHOLDER } from './keys.ts';
export { ConfigError, DEFAULT_CONFIG_FILE, type LoadConfigOptions, loadConfig } from './load.ts';
export { checkSupported } from './supported.ts';

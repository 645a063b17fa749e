import type { Config } from './keys.ts';
import { ConfigError } from './load.ts';

/**
 * Settings each valid alone that cannot work, now or together; they stop start-up rather than failing later
 * (an upload refused after a whole build).
 */
export function checkSupported(config: Config): void {
  if (config.worker.upload_url !== '' && config.worker.upload_token === '') {
    throw new ConfigError([
      '[worker] upload_token: an admin’s API token is needed to upload to [worker] upload_url',
    ]);
  }
  if (config.worker.use_kvm) {
    throw new ConfigError([
      '[worker] use_kvm: builds inside a virtual machine are not supported yet (a later release); set use_kvm = no',
    ]);
  }
}

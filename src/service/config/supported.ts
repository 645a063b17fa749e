import type { Config } from './keys.ts';
import { ConfigError } from './load.ts';

/** Valid settings this version cannot honour yet; they stop start-up rather than being silently ignored. */
export function checkSupported(config: Config): void {
  if (config.worker.use_kvm) {
    throw new ConfigError([
      '[worker] use_kvm: builds inside a virtual machine are not supported yet (a later release); set use_kvm = no',
    ]);
  }
}

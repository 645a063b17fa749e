import { loadConfig } from '../../../src/service/config/index.ts';
import { type WorkerSettings, workerSettings } from '../../../src/service/worker/index.ts';

/**
 * What `imger worker` runs with on the shipped defaults (the real build child included), and a test's changes;
 * without reuse unless asked for, as the tests build the same kickstart again and again and mean each to build.
 */
export function testSettings(
  changes: Partial<WorkerSettings> & Pick<WorkerSettings, 'baseDir'>,
): WorkerSettings {
  return {
    ...workerSettings(loadConfig({ env: {}, file: '/dev/null', warn: () => {} })),
    reuse: false,
    ...changes,
  };
}

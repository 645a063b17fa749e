import type { QueueCatalog } from '../jobs/index.ts';
import { buildQueues } from './build-queues.ts';

/** How soon a worker building every queue sees a queue added, removed, or its builds switched on or off. */
const REFRESH_MS = 2000;

/**
 * Re-reads which queues start builds and reports each change of that set; a failed read is reported and tried
 * again at the next refresh, the worker meanwhile consuming what it had.
 */
export function followBuildQueues(
  catalog: QueueCatalog,
  initial: readonly string[],
  onChange: (queues: readonly string[]) => Promise<void>,
  onError: (error: unknown, context: string) => void,
): { stop(): Promise<void> } {
  let current = [...initial].sort().join('\n');
  let refreshing: Promise<void> = Promise.resolve();
  const refresh = async (): Promise<void> => {
    const queues = await buildQueues(catalog, []);
    const next = [...queues].sort().join('\n');
    if (next === current) return;
    await onChange(queues);
    current = next;
  };
  const timer = setInterval(() => {
    refreshing = refreshing
      .then(refresh)
      .catch((error: unknown) => onError(error, 'reading the queues failed'));
  }, REFRESH_MS);
  return {
    async stop() {
      clearInterval(timer);
      await refreshing;
    },
  };
}

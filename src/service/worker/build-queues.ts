import { ServiceError } from '../errors.ts';
import type { QueueCatalog } from '../jobs/index.ts';

/**
 * The queues a worker consumes: those asked for, each of which must exist and start builds, or, when none is
 * asked for, every queue that starts builds (an admin may switch a queue's builds off).
 */
export async function buildQueues(catalog: QueueCatalog, wanted: readonly string[]): Promise<string[]> {
  const building = (await catalog.list()).filter((queue) => queue.startsBuilds).map((queue) => queue.name);
  const unknown = wanted.filter((name) => !building.includes(name));
  if (unknown.length > 0) {
    throw new ServiceError(
      'bad-request',
      `no queue that starts builds is named ${unknown.join(', ')} (there are: ${building.join(', ')})`,
    );
  }
  return wanted.length > 0 ? [...wanted] : building;
}

import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { ServiceError } from '../errors.ts';

export interface Queue {
  name: string;
  description: string;
  /** False for queues that only record jobs built elsewhere (the original's handle_launch). */
  startsBuilds: boolean;
}

/** A queue and the groups it is open to (none: everyone); see queueRefusal. */
export interface QueueWithGroups extends Queue {
  groups: string[];
}

export interface QueueCatalog {
  list(): Promise<QueueWithGroups[]>;
  get(name: string): Promise<Queue | null>;
  put(queue: Queue): Promise<Queue>;
  /** Refused while jobs refer to the queue: their folders and history are under its name. */
  remove(name: string): Promise<void>;
}

const safeQueueName = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,29}$/;

export function createQueueCatalog(db: Kysely<Database>): QueueCatalog {
  const toQueue = (row: { name: string; description: string; starts_builds: number }): Queue => ({
    name: row.name,
    description: row.description,
    startsBuilds: row.starts_builds === 1,
  });
  return {
    async list() {
      const queues = await db.selectFrom('queues').selectAll().orderBy('name').execute();
      const groups = await db.selectFrom('queue_groups').selectAll().orderBy('group_name').execute();
      return queues.map((row) => ({
        ...toQueue(row),
        groups: groups.filter((group) => group.queue_name === row.name).map((group) => group.group_name),
      }));
    },
    async get(name) {
      const row = await db.selectFrom('queues').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? toQueue(row) : null;
    },
    async put({ name, description, startsBuilds }) {
      if (!safeQueueName.test(name)) {
        throw new ServiceError(
          'bad-request',
          `queue name "${name}" must be 1 to 30 letters, digits, dots, dashes or underscores`,
        );
      }
      const values = { name, description, starts_builds: startsBuilds ? 1 : 0 };
      await db
        .insertInto('queues')
        .values(values)
        .onConflict((conflict) =>
          conflict.column('name').doUpdateSet({ description, starts_builds: values.starts_builds }),
        )
        .execute();
      return { name, description, startsBuilds };
    },
    async remove(name) {
      const used = await db
        .selectFrom('jobs')
        .select('id')
        .where('queue', '=', name)
        .limit(1)
        .executeTakeFirst();
      if (used) throw new ServiceError('conflict', `queue ${name} still holds jobs`);
      const deleted = await db.deleteFrom('queues').where('name', '=', name).executeTakeFirst();
      if (deleted.numDeletedRows === 0n) throw new ServiceError('not-found', `no queue ${name}`);
    },
  };
}

/**
 * Why `username` may not submit to `queue`: some groups are named for it (queue_groups) and the user is in none of
 * them. Whether the user may is asked with the queue itself (findQueue in service.ts): a queue no group names is
 * open to everyone, and admins may use every queue. Read only on a refusal, for the groups to name.
 */
export async function queueRefusal(
  db: Kysely<Database>,
  queue: string,
  username: string,
): Promise<ServiceError> {
  const groups = await db
    .selectFrom('queue_groups')
    .select('group_name')
    .where('queue_name', '=', queue)
    .orderBy('group_name')
    .execute();
  const names = groups.map((group) => group.group_name).join(', ');
  return new ServiceError(
    'forbidden',
    `queue ${queue} takes jobs only from members of ${groups.length === 1 ? 'the group' : 'the groups'} ${names}, ` +
      `and ${username} is in none: submit to another queue, or ask an admin to add you`,
  );
}

import type { Job } from '../jobs/index.ts';
import type { ConsumeOptions, Consumer, Delivery, QueueTransport } from './transport.ts';

export interface EmbeddedTransportOptions {
  /**
   * How often an idle consumer looks at the table. Jobs submitted in this process wake it at once; the poll
   * finds those submitted by other processes sharing the database (a web node, another worker).
   */
  pollMs?: number;
  onError?: (error: unknown) => void;
}

/** The default transport: the jobs table is the queue, so a restart loses nothing and resumes where it was. */
export function createEmbeddedTransport(options: EmbeddedTransportOptions = {}): QueueTransport {
  const pollMs = options.pollMs ?? 1000;
  const onError = options.onError ?? (() => {});
  const consumers = new Set<Consumer>();

  return {
    async consume(
      { jobs, workerId, slots, ...options }: ConsumeOptions,
      onJob: (delivery: Delivery) => void,
    ) {
      let queues = options.queues;
      let busy = 0;
      let stopped = false;
      // Set by every wake-up, so one that arrives while a claim is running is not lost.
      let pending = false;
      let wake: (() => void) | undefined;
      const poke = (): void => {
        pending = true;
        wake?.();
      };
      const idle = (): Promise<void> =>
        new Promise((resolve) => {
          const timer = setTimeout(done, pollMs);
          wake = done;
          function done(): void {
            clearTimeout(timer);
            wake = undefined;
            resolve();
          }
        });
      const offQueued = jobs.events.on('job:queued', ({ job }) => {
        if (queues.includes(job.queue)) poke();
      });

      const deliver = (job: Job): void => {
        busy += 1;
        let acked = false;
        onJob({
          job,
          async ack() {
            if (acked) return;
            acked = true;
            busy -= 1;
            poke();
          },
        });
      };

      const loop = (async () => {
        while (!stopped) {
          pending = false;
          if (busy < slots) {
            const job = await jobs.claim(queues, workerId).catch((error: unknown) => {
              onError(error);
              return null;
            });
            // Even when stopped meanwhile: the claim made the job this worker's, so it must be handed over.
            if (job) {
              deliver(job);
              continue;
            }
          }
          if (!pending && !stopped) await idle();
        }
      })();

      const consumer: Consumer = {
        async setQueues(next) {
          queues = [...next];
          // Jobs may already wait in a queue just added.
          poke();
        },
        async stop() {
          stopped = true;
          offQueued();
          poke();
          await loop;
          consumers.delete(consumer);
        },
      };
      consumers.add(consumer);
      return consumer;
    },

    async close() {
      await Promise.all([...consumers].map((consumer) => consumer.stop()));
    },
  };
}

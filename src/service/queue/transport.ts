import type { Job, JobPublisher, JobService } from '../jobs/index.ts';

/**
 * How claimed jobs reach workers. The database stays the source of truth: a transport only decides which
 * worker claims a job next (through the jobs module) and keeps a slot busy until the job's final state is
 * stored. The embedded transport claims straight from the jobs table; the RabbitMQ one turns a message naming
 * a job into a claim of that job.
 */
export interface QueueTransport {
  /** What the jobs module calls after storing a job; undefined when the jobs table itself is the queue. */
  readonly publish?: JobPublisher;
  /** Starts delivering jobs of these queues, already BUILDING for `workerId`, never more than `slots` unacked. */
  consume(options: ConsumeOptions, onJob: (delivery: Delivery) => void): Promise<Consumer>;
  close(): Promise<void>;
}

export interface ConsumeOptions {
  jobs: JobService;
  /** IMG queue names, e.g. ['web', 'api']. */
  queues: readonly string[];
  workerId: string;
  /** Free build slots: the prefetch. */
  slots: number;
}

export interface Delivery {
  /** Claimed for the consumer's worker: status BUILDING, attempt counted. */
  readonly job: Job;
  /** Call only once the job's final state (DONE, ERROR, CANCELLED) is stored: frees the slot for the next job. */
  ack(): Promise<void>;
}

export interface Consumer {
  /**
   * Consumes these queues from now on (an admin added one, or switched a queue's builds on or off); jobs already
   * delivered are not affected, and the slots stay shared across all the queues.
   */
  setQueues(queues: readonly string[]): Promise<void>;
  /** No new deliveries; jobs already delivered stay the worker's to finish and ack. */
  stop(): Promise<void>;
}

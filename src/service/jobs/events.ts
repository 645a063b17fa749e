import { EventEmitter } from 'node:events';
import type { Job } from './types.ts';

/** Every lifecycle event with its payload; listeners get the job as stored after the change. */
export interface JobEventMap {
  'job:queued': { job: Job };
  'job:started': { job: Job };
  'job:cancel-requested': { job: Job };
  /** The worker reported a new step or package count; `job` is the stored row after it. */
  'job:progress': { job: Job };
  'job:finished': { job: Job };
  'job:removed': { job: Job };
  /** A listener threw: reported here rather than breaking the verb that emitted. */
  'listener:error': { event: string; error: unknown };
}

export type JobEventName = keyof JobEventMap;

export class JobEvents {
  readonly #emitter = new EventEmitter();

  constructor() {
    // Every open log stream and metrics collector listens; the default cap of 10 would warn.
    this.#emitter.setMaxListeners(0);
  }

  on<E extends JobEventName>(event: E, listener: (payload: JobEventMap[E]) => void): () => void {
    this.#emitter.on(event, listener);
    return () => this.#emitter.off(event, listener);
  }

  /** A listener that throws must not undo or interrupt the state change that already happened. */
  emit<E extends JobEventName>(event: E, payload: JobEventMap[E]): void {
    for (const listener of this.#emitter.listeners(event)) {
      try {
        listener(payload);
      } catch (error) {
        if (event !== 'listener:error') this.emit('listener:error', { event, error });
      }
    }
  }
}

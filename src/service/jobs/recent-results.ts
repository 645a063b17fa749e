import { hash } from 'node:crypto';

/**
 * The results of a pure function for its most recent distinct inputs, the least recently used dropped first. Keyed
 * by the SHA-256 of the inputs' JSON, so two calls share a result only when every input that decides it is equal,
 * and a large input (a kickstart of a megabyte) is kept as 32 bytes of key, not as a copy of itself.
 */
export class RecentResults<T extends object> {
  // A Map keeps insertion order: the first key is always the least recently used.
  readonly #results = new Map<string, T>();

  constructor(readonly capacity: number) {}

  /** The result of `compute` for `inputs`, remembered from an equal call or computed now. */
  get(inputs: readonly unknown[], compute: () => T): T {
    const key = hash('sha256', JSON.stringify(inputs), 'base64');
    let result = this.#results.get(key);
    if (result) {
      this.#results.delete(key);
    } else {
      result = compute();
      if (this.#results.size >= this.capacity) this.#results.delete(this.#results.keys().next().value ?? '');
    }
    this.#results.set(key, result);
    return result;
  }
}

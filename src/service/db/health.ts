/** A change of the database's reachability as this process saw it. */
export type HealthChange = { reachable: false; error: unknown } | { reachable: true; downMs: number };

/**
 * Whether the database answered the last time this process asked, and since when: fed by every query (and by
 * the PostgreSQL pool's errors), so an outage is noticed, and reported, once, however many callers fail during it.
 */
export class DatabaseHealth {
  #downSince: number | null = null;
  #upSince = Date.now();
  readonly #listeners = new Set<(change: HealthChange) => void>();

  /** The database answered (a result or a refusal of its own): it is there. */
  answered(): void {
    if (this.#downSince === null) return;
    const downMs = Date.now() - this.#downSince;
    this.#downSince = null;
    this.#upSince = Date.now();
    this.#emit({ reachable: true, downMs });
  }

  /** A connection failed, was refused or was cut, or SQLite stayed locked past its wait. */
  lost(error: unknown): void {
    if (this.#downSince !== null) return;
    this.#downSince = Date.now();
    this.#emit({ reachable: false, error });
  }

  /** How long the database has answered without an outage in between; 0 while it is away. */
  reachableForMs(): number {
    return this.#downSince === null ? Date.now() - this.#upSince : 0;
  }

  onChange(listener: (change: HealthChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(change: HealthChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}

/** An outage is logged when it starts and when it ends; the requests and builds it holds up are not, each. */
export function logHealthChanges(
  health: DatabaseHealth,
  log: { warn(object: object, message: string): void; info(object: object, message: string): void },
): () => void {
  return health.onChange((change) => {
    if (!change.reachable) {
      log.warn(
        { err: change.error },
        'the database cannot be reached: requests that need it answer 503, builds go on and keep their results',
      );
    } else {
      log.info({ downSeconds: Math.round(change.downMs / 1000) }, 'the database answers again');
    }
  });
}

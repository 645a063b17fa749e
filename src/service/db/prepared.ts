import type { Compilable, Kysely, QueryResult } from 'kysely';
import type { Database } from './schema.ts';

/** Stands for the value named `name` in a prepared query; typed as that value, so the query type-checks as usual. */
export type Placeholder<V> = <K extends keyof V & string>(name: K) => V[K];

export interface PreparedQuery<V, O> {
  /** Runs the query with these values on `executor` (the database, or a transaction of it). */
  execute(executor: Kysely<Database>, values: V): Promise<QueryResult<O>>;
}

const MARK = '\u0000img-placeholder:';

/**
 * A query of a fixed shape, built and compiled by Kysely once instead of at every call: on a busy path (a
 * submission, a claim) building and compiling took more of the CPU than the database took to run the statements.
 * `build` is called once, with placeholders for the values; each call then fills in its own values. Every
 * placeholder is a bound parameter, never SQL text, exactly as the value itself would have been. A value's count
 * cannot change the shape, so `in` lists of a caller's length do not belong here.
 */
export function prepareQuery<O, V extends Record<string, unknown> = Record<string, never>>(
  build: (value: Placeholder<V>) => Compilable<O>,
): PreparedQuery<V, O> {
  const compiled = build(((name: string) => `${MARK}${name}`) as Placeholder<V>).compile();
  const names = compiled.parameters.map((parameter) =>
    typeof parameter === 'string' && parameter.startsWith(MARK) ? parameter.slice(MARK.length) : undefined,
  );
  return {
    execute(executor, values) {
      const parameters = compiled.parameters.map((constant, index) => {
        const name = names[index];
        return name === undefined ? constant : values[name];
      });
      return executor.executeQuery<O>({ ...compiled, parameters });
    },
  };
}

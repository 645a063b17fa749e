import { useCallback, useEffect, useRef, useState } from 'react';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  /** Loads again now, keeping the current data on screen until the answer comes. */
  reload: () => void;
}

export interface ResourceOptions<T> {
  /** Load again this often while the page is visible; a hidden tab does not poll, and catches up when shown. */
  pollMs?: number;
  /** Polling stops once this says no, e.g. when a job has finished. */
  pollWhile?: (data: T) => boolean;
}

/**
 * Data from the API for a component: loaded afresh whenever `key` changes (it names what `load` asks for), and
 * polled if asked to. An answer that arrives after the key changed is dropped.
 */
export function useResource<T>(
  load: () => Promise<T>,
  key: string,
  options: ResourceOptions<T> = {},
): Resource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const { pollMs, pollWhile } = options;
  const polling = useRef(false);
  polling.current =
    pollMs !== undefined && (data === undefined || pollWhile === undefined || pollWhile(data));

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new key means other data
  useEffect(() => {
    setData(undefined);
    setError(undefined);
  }, [key]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` and `tick` ask for a load
  useEffect(() => {
    let current = true;
    loadRef.current().then(
      (value) => {
        if (!current) return;
        setData(value);
        setError(undefined);
      },
      (failure: unknown) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [key, tick]);

  useEffect(() => {
    if (pollMs === undefined) return;
    const poll = () => {
      if (document.visibilityState === 'visible' && polling.current) setTick((value) => value + 1);
    };
    const timer = setInterval(poll, pollMs);
    document.addEventListener('visibilitychange', poll);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', poll);
    };
  }, [pollMs]);

  const reload = useCallback(() => setTick((value) => value + 1), []);
  return { data, error, reload };
}

import { useCallback, useRef, useState } from 'react';

export interface Action {
  /** Runs one call to the server; resolves to whether it succeeded, its error is kept for display. */
  run: (call: () => Promise<unknown>) => Promise<boolean>;
  busy: boolean;
  error: unknown;
}

/** A button's call to the server: disabled while it runs, its refusal shown next to it, `onSuccess` after. */
export function useAction(onSuccess?: () => void): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const after = useRef(onSuccess);
  after.current = onSuccess;
  const run = useCallback(async (call: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await call();
    } catch (failure) {
      setError(failure);
      return false;
    } finally {
      setBusy(false);
    }
    after.current?.();
    return true;
  }, []);
  return { run, busy, error };
}

import { useEffect, useState } from 'react';
import type { LintRequest, LintResult } from '../../../client/api-client.ts';
import { api } from '../../app/api.ts';

export interface LintState {
  /** The answer for the latest text the user paused on; an older one stays until it comes. */
  result: LintResult | undefined;
  /** Why the check itself failed, e.g. a malformed token or package entry. */
  failure: unknown;
}

/**
 * The server's check of the kickstart, once typing pauses for `delayMs`: a request still on its way when the
 * text changes again is cancelled, so an old answer never overwrites a newer one.
 */
export function useLint(request: LintRequest | null, delayMs = 400): LintState {
  const [state, setState] = useState<LintState>({ result: undefined, failure: undefined });
  // The request as its value: a new object for the same text must not start another check.
  const key = request === null ? null : JSON.stringify(request);

  useEffect(() => {
    if (key === null) {
      setState({ result: undefined, failure: undefined });
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.lint(JSON.parse(key) as LintRequest, { signal: controller.signal }).then(
        (result) => !controller.signal.aborted && setState({ result, failure: undefined }),
        (failure: unknown) => !controller.signal.aborted && setState({ result: undefined, failure }),
      );
    }, delayMs);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key, delayMs]);
  return state;
}

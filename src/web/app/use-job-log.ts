import { useEffect, useRef, useState } from 'react';
import { api } from './api.ts';

export type LogState = 'loading' | 'following' | 'complete';

export interface JobLog {
  /** Grows in place; `version` changes when it did. */
  lines: readonly string[];
  version: number;
  state: LogState;
  error: unknown;
}

/**
 * A job's log, line by line. While the job runs, the log streams in as it is written (Server-Sent Events);
 * when the job ends, the finished log is read in one go, so it is always complete afterwards. A finished job's
 * log is read at once. Lines are appended in batches, at most one render a frame.
 */
export function useJobLog(jobId: string, live: boolean): JobLog {
  const lines = useRef<string[]>([]);
  const [version, setVersion] = useState(0);
  const [state, setState] = useState<LogState>('loading');
  const [error, setError] = useState<unknown>();
  // Only the status at first sight matters: a job that finishes while followed ends its stream by itself.
  const liveAtStart = useRef(live);

  useEffect(() => {
    const abort = new AbortController();
    const collected: string[] = [];
    lines.current = collected;
    let partial = '';
    let frame = 0;
    const render = () => {
      frame = 0;
      setVersion((value) => value + 1);
    };
    const append = (text: string) => {
      const pieces = (partial + text).split('\n');
      partial = pieces.pop() ?? '';
      // One push per line: spreading a few hundred thousand arguments would overflow the call stack.
      for (const piece of pieces) collected.push(piece);
      if (frame === 0) frame = requestAnimationFrame(render);
    };

    const read = async () => {
      if (liveAtStart.current) {
        setState('following');
        for await (const event of api.followLog(jobId, { signal: abort.signal })) {
          if (event.type === 'log') append(event.text);
        }
      }
      // The builder replaces the log file with its own copy when it ends, so what was streamed may differ from
      // the final file: the finished log is read whole and takes the streamed lines' place.
      const finished = (await api.log(jobId)).text;
      collected.length = 0;
      partial = '';
      append(finished);
      if (partial !== '') collected.push(partial);
      setState('complete');
      setVersion((value) => value + 1);
    };
    read().catch((failure: unknown) => {
      if (!abort.signal.aborted) setError(failure);
    });
    return () => {
      abort.abort();
      cancelAnimationFrame(frame);
    };
  }, [jobId]);

  return { lines: lines.current, version, state, error };
}

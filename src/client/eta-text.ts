import type { JobEta } from '../contract/eta.ts';
import { formatDuration } from './duration.ts';

/** `start in about 3 min 05 s, done in about 9 min 40 s`: an estimate as the pages and the CLI say it. */
export function describeEta(eta: JobEta, now: number): string {
  const inAbout = (iso: string) => {
    const seconds = (Date.parse(iso) - now) / 1000;
    return seconds < 1 ? 'any moment now' : `in about ${formatDuration(seconds)}`;
  };
  const end = `done ${inAbout(eta.end)}`;
  return eta.start === null ? end : `start ${inAbout(eta.start)}, ${end}`;
}

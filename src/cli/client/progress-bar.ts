import { SingleBar } from 'cli-progress';
import type { Job } from '../../client/api-client.ts';
import { formatDuration } from '../../client/duration.ts';
import { describeEta } from '../../client/eta-text.ts';
import { describeProgress, progressFraction } from '../../contract/progress-text.ts';
import { isFinished } from '../../contract/status.ts';

/** What `wait` shows of a job while it lives: one line for its state, its step or why it waits. */
function progressLine(job: Pick<Job, 'id' | 'status' | 'progress' | 'blocked' | 'queue_position'>): string {
  if (job.status === 'BUILDING' && job.progress)
    return `${job.id}: BUILDING ${describeProgress(job.progress)}`;
  if (job.status === 'IN QUEUE') {
    const position = job.queue_position === null ? '' : ` #${job.queue_position}`;
    return `${job.id}: IN QUEUE${position}${job.blocked ? ` (${job.blocked.message})` : ''}`;
  }
  return `${job.id}: ${job.status}`;
}

export interface ProgressView {
  show(job: Job): void;
  stop(): void;
}

/**
 * On a terminal, a bar that fills step by step (and package by package within a step), redrawn in place; else
 * a plain line each time the state, the step or the reason to wait changes, so a log of it stays short.
 */
export function progressView(stream: NodeJS.WriteStream): ProgressView {
  if (!stream.isTTY) {
    let last = '';
    return {
      show(job) {
        if (isFinished(job.status)) return;
        const key = `${job.status} ${job.progress?.index ?? ''} ${job.blocked?.reason ?? ''}`;
        if (key === last) return;
        last = key;
        stream.write(`${progressLine(job)}\n`);
      },
      stop() {},
    };
  }
  const bar = new SingleBar({
    stream,
    format: ' {state} [{bar}] {percentage}% {elapsed}{estimate}',
    hideCursor: true,
    clearOnComplete: false,
  });
  let started = false;
  return {
    show(job) {
      const state = progressLine(job).slice(job.id.length + 2);
      const since = job.started ?? job.created;
      const values = {
        state,
        elapsed: formatDuration((Date.now() - Date.parse(since)) / 1000),
        estimate: job.eta ? `, ${describeEta(job.eta, Date.now())}` : '',
      };
      const value = job.progress ? Math.round(progressFraction(job.progress) * 1000) : 0;
      if (!started) {
        bar.start(1000, value, values);
        started = true;
      } else bar.update(isFinished(job.status) ? 1000 : value, values);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

import type { JobProgress } from '../../client/api-client.ts';
import {
  describeProgress,
  progressFraction,
  stepAmount,
  stepFraction,
} from '../../contract/progress-text.ts';
import { formatDuration } from '../app/format.ts';

/** The build's steps in order: done ones ticked, the running one highlighted with its packages and its time. */
export function StageBar({
  progress,
  started,
  now,
}: {
  progress: JobProgress;
  started: string | null;
  now: number;
}) {
  const since = (iso: string) => formatDuration((now - Date.parse(iso)) / 1000);
  return (
    <div className="stage-bar" data-step={progress.step}>
      <p>
        Step {progress.index} of {progress.total}: <strong>{progress.step}</strong>
        {stepAmount(progress) && ` (${stepAmount(progress)})`}
        {started !== null && <span className="elapsed"> · {since(started)} elapsed</span>}
      </p>
      <ol aria-label="Build steps">
        {progress.steps.map((step, position) => {
          const state =
            position + 1 < progress.index ? 'done' : position + 1 === progress.index ? 'running' : 'todo';
          return (
            <li
              key={step}
              className={`stage stage-${state}`}
              aria-current={state === 'running' ? 'step' : undefined}
            >
              <span className="stage-name">{step}</span>
              {state === 'running' && <span className="stage-time">{since(progress.step_started)}</span>}
              {state === 'running' && stepAmount(progress) && (
                <progress
                  max={1000}
                  value={Math.round(stepFraction(progress) * 1000)}
                  aria-label={`${step}: ${stepAmount(progress)}`}
                />
              )}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

/** One line's worth for a table: how far the build is, its step named in the tooltip and for screen readers. */
export function CompactStageBar({ progress }: { progress: JobProgress }) {
  const text = describeProgress(progress);
  return (
    <progress
      className="stage-compact"
      max={1000}
      value={Math.round(progressFraction(progress) * 1000)}
      title={text}
      aria-label={text}
    />
  );
}

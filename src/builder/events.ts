// What a build tells its caller while it runs: log lines and progress, both naming the step.
import type { StepName } from './steps.ts';

export interface LogEvent {
  type: 'log';
  step?: StepName;
  line: string;
}

export interface ProgressEvent {
  type: 'progress';
  step: StepName;
  /** 1-based position of the step among the steps this build runs. */
  index: number;
  total: number;
  /** Packages installed so far, when the step installs packages and knows how many. */
  packages?: { done: number; total: number };
}

export interface StepFinishedEvent {
  type: 'step-finished';
  step: StepName;
  ms: number;
}

export type BuildEvent = LogEvent | ProgressEvent | StepFinishedEvent;
export type BuildEventListener = (event: BuildEvent) => void;

// The build steps, in the order they run. The names double as the progress states the service reports.
export const stepNames = [
  'resolve',
  'bootstrap',
  'packages',
  'configure',
  'scripts',
  'filesystem',
  'disk',
  'convert',
  'checksum',
] as const;

export type StepName = (typeof stepNames)[number];

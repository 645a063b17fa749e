// mic's own ways of saying that a package or a repository is missing, on top of the patterns every builder
// shares (failures.ts), and the first real error line when nothing more specific is recognisable.
import { basename } from 'node:path';
import { CommandFailed } from '../command-failed.ts';
import { BuildFailure, classifyFailure, classifyOutput, firstErrorLine } from '../failures.ts';
import type { StepName } from '../steps.ts';

/** baseimager's "Failed to find package 'NAME' : …"; zypp's "No provider of 'NAME' found"; yum's "No package NAME available". */
const missingPackagePatterns = [
  /Failed to find package '([^']+)'/g,
  /No provider of '([^']+)' found/g,
  /No package (\S+) available/g,
];
/** urlgrabber and repomd retrieval failures, as mic and its yum/zypp backends report them. */
const unreachablePatterns = [
  /URLGrabber error/,
  /Cannot retrieve repository metadata/,
  /Failed to download .*repomd\.xml/,
  /Can't get .*repomd\.xml/,
  /Download \(curl\) error/,
  /Repository '[^']+' is invalid/,
];

/** Classifies mic's non-zero exit; anything else (timeout, cancel) is left to the step runner. */
export function classifyMicExit(error: unknown, step: StepName): unknown {
  if (!(error instanceof CommandFailed) || error.reason !== 'exit') return error;
  const text = `${error.stderr}\n${error.stdout}`;
  const recognised = classifyOutput(text, step, {
    missingPackages: missingPackagePatterns,
    unreachable: unreachablePatterns,
  });
  if (recognised) return recognised;
  const shared = classifyFailure(error, step);
  if (shared.kind !== 'internal') return shared;
  return new BuildFailure(
    'internal',
    step,
    `${basename(error.cmd)} exited with ${error.code}: ${firstErrorLine(text)}`,
  );
}

// Why a command failed, apart from running it (exec.ts): failure classes and pages read it without Node's
// process modules.
import type { StepName } from './steps.ts';

export type StopReason = 'exit' | 'timeout' | 'aborted' | 'spawn-error';

export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
  constructor(
    readonly cmd: string,
    readonly args: readonly string[],
    readonly reason: StopReason,
    readonly code: number | null,
    readonly stdout: string,
    readonly stderr: string,
    readonly step: StepName | undefined,
    /** The abort reason of the signal, when reason is 'aborted'. */
    readonly abortReason?: unknown,
  ) {
    super(`${step ? `[${step}] ` : ''}${describe(cmd, reason, code)}${firstLine(stderr, stdout)}`);
  }
}

function describe(cmd: string, reason: StopReason, code: number | null): string {
  switch (reason) {
    case 'exit':
      return `${cmd} exited with ${code}`;
    case 'timeout':
      return `${cmd} timed out`;
    case 'aborted':
      return `${cmd} was stopped`;
    case 'spawn-error':
      return `${cmd} could not be started`;
  }
}

function firstLine(stderr: string, stdout: string): string {
  const line = (stderr.trim() || stdout.trim()).split('\n').pop();
  return line ? `: ${line}` : '';
}

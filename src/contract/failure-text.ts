// A failure as plain text, the same in the CLI, mail and BOSS replies: what failed, whose it is to fix, where,
// and each detail on a line of its own.
import type { ReadFailure } from './failure.ts';
import { failureTitle } from './failure-classes.ts';

/** Whose move it is; an owner a newer server made up is the service's, whose admin can tell. */
export function ownerText(failure: Pick<ReadFailure, 'owner'>): string {
  return failure.owner === 'user' ? 'yours to fix' : "the service's to fix (tell its admin)";
}

/**
 * Control characters shown as escapes: a failure quotes build output, which the kickstart's author controls, and
 * a terminal must not take an escape sequence from it, nor a mail a line break.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's purpose.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The first line, then one line per detail (indented by the caller as it likes). */
export function failureLines(failure: ReadFailure): string[] {
  return describe(failure).map(printable);
}

function describe(failure: ReadFailure): string[] {
  const where = failure.step ? `, in step ${failure.step}` : '';
  const lines = [`${failure.class} (${ownerText(failure)}${where}): ${failure.message}`];
  const { details } = failure;
  lines.push(`  ${failureTitle(failure.class)}`);
  if (details.packages) lines.push(`  missing packages: ${details.packages.join(', ')}`);
  if (details.sources) lines.push(`  sources searched: ${details.sources.join('; ')}`);
  if (details.script) {
    const { kind, number, exit_code } = details.script;
    lines.push(
      `  script: %${kind} #${number}, ${exit_code === null ? 'killed by a signal' : `exit code ${exit_code}`}`,
    );
  }
  if (details.repository)
    lines.push(`  repository: ${details.repository.url}: ${details.repository.problem}`);
  if (details.limit_s !== undefined) lines.push(`  time limit: ${details.limit_s} s`);
  if (details.log_line) {
    const at = details.log_line.number === undefined ? 'log' : `log line ${details.log_line.number}`;
    lines.push(`  ${at}: ${details.log_line.text}`);
  }
  return lines;
}

// Why a build failed, in the classes of the failure contract, with the first error line that explains it.
import { type Failure, type FailureClass, type FailureDetails, failure } from '../contract/failure.ts';
import { CommandFailed } from './command-failed.ts';
import { escapeRegExp } from './escape-regexp.ts';
import type { StepName } from './steps.ts';

/** A build fails in any class but those only the service can see (its worker went silent, its VM failed). */
export type FailureKind = Exclude<FailureClass, 'worker-lost' | 'vm-failed'>;

export class BuildFailure extends Error {
  override readonly name = 'BuildFailure';
  constructor(
    readonly kind: FailureKind,
    readonly step: StepName,
    message: string,
    readonly details: FailureDetails = {},
  ) {
    super(message);
  }

  /** As the contract carries it, to the build's caller and on to the job. */
  toFailure(): Failure {
    return failure(this.kind, this.message, this.step, this.details);
  }
}

/** The abort reason the runner gives on a deadline, so a stopped command can tell timeout from cancel. */
export class DeadlineReached extends Error {
  override readonly name = 'DeadlineReached';
  constructor(
    message: string,
    /** The limit that was exceeded, in seconds. */
    readonly limitS?: number,
  ) {
    super(message);
  }
}

const errorLinePattern = /^(E:|W: Failed|error|fatal|mmdebstrap: error)|\b(error|failed|cannot|unable)\b/i;

/** The first line of a tool's output that says what went wrong, rather than the last line of noise. */
export function firstErrorLine(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.find((line) => errorLinePattern.test(line)) ?? lines.at(-1) ?? '';
}

/** How a package manager says that a package is missing (group 1: its name) or a repository unreachable. */
export interface FailurePatterns {
  missingPackages: readonly RegExp[];
  unreachable: readonly RegExp[];
}

const missingPackagePatterns = [
  /E: Unable to locate package (\S+)/g,
  /E: Package '([^']+)' has no installation candidate/g,
  /No match for argument: (\S+)/g,
];
const unreachablePatterns = [
  /Failed to fetch/,
  /Temporary failure resolving/,
  /Could not resolve/,
  /Could not connect/,
  /Connection refused/,
  /does not have a Release file/,
  /404\s+Not Found/,
  /Cannot download repomd\.xml/,
  /Failed to download metadata/,
];

/** dnf's verdicts on a downloaded package's signature (group 1: the package's file). */
const badSignaturePatterns = [
  /Public key for (\S+\.rpm) is not (?:installed|trusted)/g,
  /Package (\S+\.rpm) is not signed/g,
  /Problem opening package (\S+\.rpm)/g,
];

/** The repository dnf took a package (NAME-VERSION-RELEASE.ARCH) from, by its transaction table and repo lines. */
function dnfRepositoryOf(text: string, nevra: string): { name: string; url?: string } | undefined {
  const match = /^(.+)-([^-]+-[^-]+)\.([^.]+)$/.exec(nevra);
  if (!match) return undefined;
  const [, name, version, arch] = match.map(escapeRegExp);
  const row = new RegExp(`^\\s*${name}\\s+${arch}\\s+(?:\\d+:)?${version}\\s+(\\S+)\\s`, 'm').exec(text);
  if (!row) return undefined;
  const url = new RegExp(`^Added ${escapeRegExp(row[1]!)} repo from (\\S+)$`, 'm').exec(text)?.[1];
  return { name: row[1]!, ...(url ? { url } : {}) };
}

/**
 * A package that failed its repository's signature check: the repository's (or the key's giver's) to fix, so
 * classed with the repositories that could not be read, naming the packages and the repository.
 */
function badSignature(text: string, step: StepName): BuildFailure | undefined {
  const files = [...new Set(badSignaturePatterns.flatMap((p) => [...text.matchAll(p)].map((m) => m[1]!)))];
  if (files.length === 0) return undefined;
  const packages = files.map((file) => file.replace(/\.rpm$/, ''));
  const line = firstMatchingLine(text, new RegExp(badSignaturePatterns.map((p) => p.source).join('|')));
  const repo = dnfRepositoryOf(text, packages[0]!);
  const from = repo ? ` from repository ${repo.name}` : '';
  return new BuildFailure(
    'repository-unreachable',
    step,
    `signature check failed for ${packages.join(', ')}${from}: ${line}`,
    {
      packages,
      ...(repo?.url ? { repository: { url: repo.url, problem: line } } : {}),
      log_line: { text: line },
    },
  );
}

function isAbortedBy<T>(error: unknown, type: new (...args: never[]) => T): boolean {
  return error instanceof CommandFailed && error.abortReason instanceof type;
}

/** Turns whatever a step threw into a classified failure. */
export function classifyFailure(error: unknown, step: StepName, signal?: AbortSignal): BuildFailure {
  if (error instanceof BuildFailure) return error;
  if (signal?.aborted || (error instanceof CommandFailed && error.reason !== 'exit')) {
    const timedOut =
      signal?.reason instanceof DeadlineReached ||
      isAbortedBy(error, DeadlineReached) ||
      (error instanceof CommandFailed && error.reason === 'timeout');
    if (timedOut) {
      const deadline =
        signal?.reason instanceof DeadlineReached
          ? signal.reason
          : error instanceof CommandFailed && error.abortReason instanceof DeadlineReached
            ? error.abortReason
            : undefined;
      const limit = deadline?.limitS === undefined ? {} : { limit_s: deadline.limitS };
      return new BuildFailure('timeout', step, deadline?.message ?? String(error), limit);
    }
    if (signal?.aborted || (error instanceof CommandFailed && error.reason === 'aborted')) {
      return new BuildFailure('cancelled', step, 'the build was cancelled');
    }
  }
  const text =
    error instanceof CommandFailed
      ? `${error.stderr}\n${error.stdout}`
      : String((error as Error)?.stack ?? error);
  if (/No space left on device|ENOSPC/.test(text)) {
    const line = firstMatchingLine(text, /No space left|ENOSPC/);
    return new BuildFailure('out-of-space', step, line, { log_line: { text: line } });
  }
  const recognised =
    badSignature(text, step) ??
    classifyOutput(text, step, {
      missingPackages: missingPackagePatterns,
      unreachable: unreachablePatterns,
    });
  if (recognised) return recognised;
  const message = error instanceof CommandFailed ? error.message : String((error as Error)?.message ?? error);
  const detail = error instanceof CommandFailed ? firstErrorLine(text) : '';
  return new BuildFailure(
    'internal',
    step,
    detail && !message.includes(detail) ? `${message}: ${detail}` : message,
    detail ? { log_line: { text: detail } } : {},
  );
}

function firstMatchingLine(text: string, pattern: RegExp): string {
  return (
    text
      .split('\n')
      .find((line) => pattern.test(line))
      ?.trim() ?? text.trim()
  );
}

/** A missing package or an unreachable repository, recognised in a tool's output by the given patterns. */
export function classifyOutput(
  text: string,
  step: StepName,
  patterns: FailurePatterns,
): BuildFailure | undefined {
  const missing = [
    ...new Set(patterns.missingPackages.flatMap((p) => [...text.matchAll(p)].map((m) => m[1]!))),
  ];
  if (missing.length > 0) {
    const line = firstMatchingLine(text, new RegExp(patterns.missingPackages.map((p) => p.source).join('|')));
    return new BuildFailure('package-not-found', step, `package not found: ${missing.join(', ')}`, {
      packages: missing,
      log_line: { text: line },
    });
  }
  const unreachable = patterns.unreachable.find((pattern) => pattern.test(text));
  if (!unreachable) return undefined;
  const line = firstMatchingLine(text, unreachable);
  const url = /\b(?:https?|ftp|file|copy):\/\/[^\s'"]+/.exec(line)?.[0]?.replace(/[:;,.)]+$/, '');
  return new BuildFailure('repository-unreachable', step, line, {
    ...(url ? { repository: { url: url.replace(/^copy:/, 'file:'), problem: line } } : {}),
    log_line: { text: line },
  });
}

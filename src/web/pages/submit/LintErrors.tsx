export interface LintError {
  line: number;
  message: string;
}

/** What the server found in the kickstart: from the check while typing, or from a refused submit. */
export interface KickstartProblems {
  errors: readonly LintError[];
  warnings: readonly LintError[];
  /** The errors are a submit's refusal rather than the check's forecast of one. */
  refused: boolean;
}

interface LintErrorsProps {
  problems: KickstartProblems;
  /** When the text is on screen, an error's line number selects that line. */
  onSelectLine?: (line: number) => void;
}

/** The kickstart's errors, then its warnings, line by line. */
export function LintErrors({ problems, onSelectLine }: LintErrorsProps) {
  const { errors, warnings, refused } = problems;
  return (
    <>
      {errors.length > 0 && (
        // A refusal interrupts; the check while typing must not, or each keystroke would be announced.
        <div className="notice error" id="kickstart-errors" role={refused ? 'alert' : 'status'}>
          <p>
            The kickstart has {count(errors.length, 'error')};{' '}
            {refused ? 'nothing was queued.' : 'a submit would be refused.'}
          </p>
          <ProblemList problems={errors} onSelectLine={onSelectLine} />
        </div>
      )}
      {warnings.length > 0 && (
        <div className="notice warning" id="kickstart-warnings" role="status">
          <p>{count(warnings.length, 'warning')}: the kickstart is accepted, but have a look.</p>
          <ProblemList problems={warnings} onSelectLine={onSelectLine} />
        </div>
      )}
    </>
  );
}

function ProblemList({
  problems,
  onSelectLine,
}: {
  problems: readonly LintError[];
  onSelectLine: ((line: number) => void) | undefined;
}) {
  return (
    <ul className="lint-errors">
      {problems.map((problem) => (
        <li key={`${problem.line}:${problem.message}`}>
          {problem.line === 0 ? (
            'kickstart'
          ) : onSelectLine ? (
            <button type="button" onClick={() => onSelectLine(problem.line)}>
              line {problem.line}
            </button>
          ) : (
            `line ${problem.line}`
          )}
          : {problem.message}
        </li>
      ))}
    </ul>
  );
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

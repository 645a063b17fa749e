export interface LintError {
  line: number;
  message: string;
}

interface LintErrorsProps {
  errors: readonly LintError[];
  /** When the text is on screen, an error's line number selects that line. */
  onSelectLine?: (line: number) => void;
}

/** The server's refusal of a kickstart, line by line; nothing was queued. */
export function LintErrors({ errors, onSelectLine }: LintErrorsProps) {
  if (errors.length === 0) return null;
  return (
    <div className="notice error" id="kickstart-errors" role="alert">
      <p>
        The kickstart has {errors.length} error{errors.length === 1 ? '' : 's'}; nothing was queued.
      </p>
      <ul className="lint-errors">
        {errors.map((error) => (
          <li key={`${error.line}:${error.message}`}>
            {onSelectLine ? (
              <button type="button" onClick={() => onSelectLine(error.line)}>
                line {error.line}
              </button>
            ) : (
              `line ${error.line}`
            )}
            : {error.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

import { useMemo, useRef } from 'react';
import { type KickstartProblems, LintErrors } from './LintErrors.tsx';

interface KickstartEditorProps {
  text: string;
  onChange: (text: string) => void;
  problems: KickstartProblems;
}

/**
 * The kickstart text with a line-number gutter; the lines the server finds wrong are marked in the gutter and
 * listed under the text, and choosing one selects its line.
 */
export function KickstartEditor({ text, onChange, problems }: KickstartEditorProps) {
  const textarea = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLPreElement>(null);
  const lineCount = useMemo(() => text.split('\n').length, [text]);
  const lineClasses = useMemo(() => {
    const classes = new Map(problems.warnings.map((warning) => [warning.line, 'warn']));
    for (const error of problems.errors) classes.set(error.line, 'bad');
    return classes;
  }, [problems]);
  const numbers = useMemo(() => {
    const rows = [];
    for (let line = 1; line <= lineCount; line++) {
      rows.push(
        <div key={line} className={lineClasses.get(line)}>
          {line}
        </div>,
      );
    }
    return rows;
  }, [lineCount, lineClasses]);
  const hasErrors = problems.errors.length > 0;

  const selectLine = (line: number) => {
    const element = textarea.current;
    if (!element) return;
    const lines = element.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
    element.focus();
    element.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    const lineHeight = element.scrollHeight / Math.max(1, lines.length);
    element.scrollTop = Math.max(0, (line - 3) * lineHeight);
  };

  return (
    <>
      <div className="ks-editor">
        <pre className="ks-gutter" ref={gutter} aria-hidden="true">
          {numbers}
        </pre>
        <textarea
          id="kickstart-text"
          ref={textarea}
          value={text}
          wrap="off"
          spellCheck={false}
          aria-describedby={hasErrors ? 'kickstart-errors' : undefined}
          aria-invalid={hasErrors}
          onChange={(event) => onChange(event.target.value)}
          onScroll={(event) => {
            if (gutter.current) gutter.current.scrollTop = event.currentTarget.scrollTop;
          }}
        />
      </div>
      <LintErrors problems={problems} onSelectLine={selectLine} />
    </>
  );
}

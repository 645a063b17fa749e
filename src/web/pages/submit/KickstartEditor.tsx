import { useMemo, useRef } from 'react';
import { type KickstartProblems, LintErrors } from './LintErrors.tsx';
import { NumberedText } from './NumberedText.tsx';

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
  const lineClasses = useMemo(() => {
    const classes = new Map(problems.warnings.map((warning) => [warning.line, 'warn']));
    for (const error of problems.errors) classes.set(error.line, 'bad');
    return classes;
  }, [problems]);
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
      <NumberedText
        id="kickstart-text"
        textareaRef={textarea}
        value={text}
        onChange={onChange}
        lineClasses={lineClasses}
        describedBy={hasErrors ? 'kickstart-errors' : undefined}
        invalid={hasErrors}
      />
      <LintErrors problems={problems} onSelectLine={selectLine} />
    </>
  );
}

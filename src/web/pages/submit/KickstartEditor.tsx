import { useMemo, useRef } from 'react';
import { type LintError, LintErrors } from './LintErrors.tsx';

interface KickstartEditorProps {
  text: string;
  onChange: (text: string) => void;
  /** The server's lint errors from the last submit, by line. */
  errors: readonly LintError[];
}

/**
 * The kickstart text with a line-number gutter; the lines the server refused are marked in the gutter and
 * listed under the text, and choosing an error selects its line.
 */
export function KickstartEditor({ text, onChange, errors }: KickstartEditorProps) {
  const textarea = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLPreElement>(null);
  const lineCount = useMemo(() => text.split('\n').length, [text]);
  const badLines = useMemo(() => new Set(errors.map((error) => error.line)), [errors]);
  const numbers = useMemo(() => {
    const rows = [];
    for (let line = 1; line <= lineCount; line++) {
      rows.push(
        <div key={line} className={badLines.has(line) ? 'bad' : undefined}>
          {line}
        </div>,
      );
    }
    return rows;
  }, [lineCount, badLines]);

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
          aria-describedby={errors.length > 0 ? 'kickstart-errors' : undefined}
          aria-invalid={errors.length > 0}
          onChange={(event) => onChange(event.target.value)}
          onScroll={(event) => {
            if (gutter.current) gutter.current.scrollTop = event.currentTarget.scrollTop;
          }}
        />
      </div>
      <LintErrors errors={errors} onSelectLine={selectLine} />
    </>
  );
}

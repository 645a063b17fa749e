import { type Ref, useMemo, useRef } from 'react';

interface NumberedTextProps {
  id: string;
  value: string;
  onChange: (text: string) => void;
  /** A class for the lines to mark in the gutter (`bad`, `warn`), by 1-based line number. */
  lineClasses?: ReadonlyMap<number, string>;
  className?: string;
  describedBy?: string | undefined;
  invalid?: boolean;
  textareaRef?: Ref<HTMLTextAreaElement>;
}

/**
 * A textarea with a line-number gutter that scrolls with it: the server's errors cite lines, so the lines are
 * numbered where they are typed.
 */
export function NumberedText({
  id,
  value,
  onChange,
  lineClasses,
  className,
  describedBy,
  invalid = false,
  textareaRef,
}: NumberedTextProps) {
  const gutter = useRef<HTMLPreElement>(null);
  const lineCount = useMemo(() => value.split('\n').length, [value]);
  const numbers = useMemo(() => {
    const rows = [];
    for (let line = 1; line <= lineCount; line++) {
      rows.push(
        <div key={line} className={lineClasses?.get(line)}>
          {line}
        </div>,
      );
    }
    return rows;
  }, [lineCount, lineClasses]);
  return (
    <div className={`ks-editor${className ? ` ${className}` : ''}`}>
      <pre className="ks-gutter" ref={gutter} aria-hidden="true">
        {numbers}
      </pre>
      <textarea
        id={id}
        ref={textareaRef}
        value={value}
        wrap="off"
        spellCheck={false}
        aria-describedby={describedBy}
        aria-invalid={invalid}
        onChange={(event) => onChange(event.target.value)}
        onScroll={(event) => {
          if (gutter.current) gutter.current.scrollTop = event.currentTarget.scrollTop;
        }}
      />
    </div>
  );
}

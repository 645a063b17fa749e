import { type CSSProperties, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';

/** Every line has the same height, so the visible slice follows from the scroll offset alone. */
const LINE_HEIGHT = 18;
/** Lines drawn above and below the visible ones, so fast scrolling does not show blank rows. */
const OVERSCAN = 40;

interface LogViewProps {
  /** The lines so far; the array grows in place, and `version` says when. */
  lines: readonly string[];
  version: number;
  label: string;
  /** Shown while there are no lines, e.g. "The log starts when the build does." */
  emptyText: string;
  /** A 1-based line to scroll to and mark once it has arrived; following the end stops. */
  markedLine?: number | undefined;
}

/**
 * A virtualised log: only the rows in view are in the document, so a log of hundreds of thousands of lines
 * scrolls as smoothly as a short one. While the view is scrolled to the end it stays there as lines arrive.
 */
export function LogView({ lines, version, label, emptyText, markedLine }: LogViewProps) {
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const [following, setFollowing] = useState(true);

  useEffect(() => {
    const element = viewport.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is how new lines are announced
  useLayoutEffect(() => {
    const element = viewport.current;
    if (following && element) element.scrollTop = element.scrollHeight;
  }, [following, version]);

  const markedArrived = markedLine !== undefined && lines.length >= markedLine;
  useLayoutEffect(() => {
    const element = viewport.current;
    if (!element || !markedArrived || markedLine === undefined) return;
    setFollowing(false);
    element.scrollTop = Math.max(0, (markedLine - 1) * LINE_HEIGHT - element.clientHeight / 3);
    setScrollTop(element.scrollTop);
    element.scrollIntoView({ block: 'nearest' });
  }, [markedLine, markedArrived]);

  const onScroll = useCallback(() => {
    const element = viewport.current;
    if (!element) return;
    setScrollTop(element.scrollTop);
    setFollowing(element.scrollHeight - element.scrollTop - element.clientHeight < LINE_HEIGHT * 2);
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / LINE_HEIGHT) - OVERSCAN);
  const last = Math.min(lines.length, Math.ceil((scrollTop + height) / LINE_HEIGHT) + OVERSCAN);
  const gutter = String(lines.length).length;
  const rows = [];
  for (let index = first; index < last; index++) {
    rows.push(
      <div
        className={index + 1 === markedLine ? 'log-line marked' : 'log-line'}
        key={index}
        {...(index + 1 === markedLine ? { id: `log-L${markedLine}`, 'aria-current': 'true' as const } : {})}
      >
        <span className="ln">{String(index + 1).padStart(gutter)}</span>
        {lines[index]}
      </div>,
    );
  }

  return (
    <>
      <div className="log-toolbar">
        <span>{lines.length.toLocaleString('en')} lines</span>
        <label className="inline">
          <input
            type="checkbox"
            checked={following}
            onChange={(event) => setFollowing(event.target.checked)}
          />
          Keep at the end
        </label>
      </div>
      <div
        className="log-view"
        ref={viewport}
        onScroll={onScroll}
        // Focusable, so the keyboard's arrows and Page Up/Down scroll it.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        tabIndex={0}
        role="log"
        aria-label={label}
        style={{ '--log-line-height': `${LINE_HEIGHT}px` } as CSSProperties}
      >
        {lines.length === 0 && <p className="log-empty">{emptyText}</p>}
        <div style={{ height: lines.length * LINE_HEIGHT, position: 'relative' }}>
          <div className="log-lines" style={{ top: first * LINE_HEIGHT }}>
            {rows}
          </div>
        </div>
      </div>
    </>
  );
}

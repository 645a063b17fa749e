import { type ReactNode, useEffect, useRef } from 'react';

/**
 * The page's heading; it takes the focus when the page appears, so after a navigation a screen reader starts
 * at the new page and the Tab key continues from there, as after a full page load.
 */
export function PageTitle({ children, title }: { children: ReactNode; title: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · IMG`;
    heading.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}

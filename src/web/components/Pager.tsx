import { Link, withQuery } from '../app/router.tsx';

interface PagerProps {
  path: string;
  query: Record<string, string | undefined>;
  /** The API's cursor for the next (older) page; null on the last page. */
  next: string | null;
  /** Whether this is a later page, so there is a first page to go back to. */
  paged: boolean;
}

/** Newest first, a page at a time, with the cursor in the URL so the back button returns to the newer page. */
export function Pager({ path, query, next, paged }: PagerProps) {
  if (!paged && next === null) return null;
  return (
    <nav className="pager" aria-label="Pages of jobs">
      {paged && (
        <Link className="button secondary" to={withQuery(path, { ...query, before: undefined })}>
          Newest
        </Link>
      )}
      {next !== null && (
        <Link className="button secondary" to={withQuery(path, { ...query, before: next })}>
          Older
        </Link>
      )}
    </nav>
  );
}

import type { JobTotal } from '../../client/api-client.ts';
import { COUNT_LIMIT } from '../../contract/list-limits.ts';
import { Link, withQuery } from '../app/router.tsx';

interface PagerProps {
  path: string;
  query: Record<string, string | undefined>;
  /** The page shown, 1 for the newest. */
  page: number;
  limit: number;
  total: JobTotal;
  /** The API's cursor for the next (older) page; null on the last page. */
  next: string | null;
  /** This page came by cursor (deeper than numbers reach). */
  byCursor: boolean;
}

/** How a page is asked for: by number (an offset) up to COUNT_LIMIT jobs deep, by the API's cursor after that. */
export function pageRequest(
  query: URLSearchParams,
  limit: number,
): { page: number; offset?: number; before?: string } {
  const page = Math.max(1, Math.trunc(Number(query.get('page'))) || 1);
  const before = query.get('before');
  if (before) return { page, before };
  return { page, offset: Math.min((page - 1) * limit, COUNT_LIMIT) };
}

const count = new Intl.NumberFormat('en');

/**
 * The total and numbered pages, newest first. Numbers reach COUNT_LIMIT jobs deep (an offset costs a scan of the
 * jobs it skips); "Older" goes on from there by cursor, as far as the list goes.
 */
export function Pager({ path, query, page, limit, total, next, byCursor }: PagerProps) {
  const numbered = Math.floor(COUNT_LIMIT / limit) + 1;
  const known = Math.max(1, Math.ceil(total.count / limit));
  const last = Math.min(known, numbered);
  const to = (target: number, before?: string) =>
    withQuery(path, { ...query, page: target > 1 ? String(target) : undefined, before });
  const shown = [...new Set([1, ...range(page - 2, page + 2), last])].filter((n) => n >= 1 && n <= last);
  const summary = total.exact
    ? `${count.format(total.count)} job${total.count === 1 ? '' : 's'}`
    : `at least ${count.format(total.count)} jobs (counting stops at the newest ${count.format(COUNT_LIMIT)})`;
  const olderTo = page + 1 <= numbered && !byCursor ? to(page + 1) : next && to(page + 1, next);
  return (
    <nav className="pager" aria-label="Pages of jobs">
      <span className="hint" data-total>
        {summary}
        {known > 1 && ` · page ${count.format(page)}${total.exact ? ` of ${count.format(known)}` : ''}`}
      </span>
      {page > 1 && page - 1 <= numbered && (
        <Link className="button secondary" to={to(page - 1)} rel="prev">
          Newer
        </Link>
      )}
      {shown.length > 1 &&
        shown.map((n, index) => (
          <span key={n}>
            {index > 0 && n - (shown[index - 1] ?? n) > 1 && <span aria-hidden="true">… </span>}
            <Link
              className="page-number"
              to={to(n)}
              aria-current={n === page && !byCursor ? 'page' : undefined}
              aria-label={`Page ${n}`}
            >
              {count.format(n)}
            </Link>
          </span>
        ))}
      {next !== null && olderTo && (
        <Link className="button secondary" to={olderTo} rel="next">
          Older
        </Link>
      )}
    </nav>
  );
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, index) => from + index);
}

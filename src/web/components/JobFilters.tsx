import { type FormEvent, useState } from 'react';
import { JOB_STATUSES } from '../../client/api-client.ts';
import { navigate, withQuery } from '../app/router.tsx';

/** The filters that live in the URL's query, so a filtered list can be bookmarked and the back button undoes. */
export const FILTER_KEYS = ['status', 'text', 'tag', 'owner', 'queue'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;

export function filtersOf(query: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const key of FILTER_KEYS) {
    const value = query.get(key);
    if (value) filters[key] = value;
  }
  return filters;
}

interface JobFiltersProps {
  /** The page path the filters apply to, e.g. `queue/web/`. */
  path: string;
  filters: Filters;
  /** Which filters this page offers besides status, name and tag (the queue page has owner and queue in its path). */
  extra?: { queues: readonly string[] };
}

/** Status, name or id, tag (and for the admin, owner and queue); applying starts again at the newest job. */
export function JobFilters({ path, filters, extra }: JobFiltersProps) {
  const [draft, setDraft] = useState<Filters>(filters);
  const field = (key: FilterKey) => ({
    value: draft[key] ?? '',
    onChange: (event: { target: { value: string } }) => setDraft({ ...draft, [key]: event.target.value }),
  });
  const apply = (event: FormEvent) => {
    event.preventDefault();
    navigate(withQuery(path, draft));
  };
  return (
    <search>
      <form className="filters" onSubmit={apply}>
        <div>
          <label htmlFor="filter-text">Name or ID</label>
          <input id="filter-text" type="search" {...field('text')} />
        </div>
        <div>
          <label htmlFor="filter-tag">Tag</label>
          <input id="filter-tag" type="search" {...field('tag')} />
        </div>
        <div>
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" {...field('status')}>
            <option value="">any</option>
            {JOB_STATUSES.map((status) => (
              <option key={status}>{status}</option>
            ))}
          </select>
        </div>
        {extra && (
          <>
            <div>
              <label htmlFor="filter-owner">User</label>
              <input id="filter-owner" {...field('owner')} />
            </div>
            <div>
              <label htmlFor="filter-queue">Queue</label>
              <select id="filter-queue" {...field('queue')}>
                <option value="">any</option>
                {extra.queues.map((queue) => (
                  <option key={queue}>{queue}</option>
                ))}
              </select>
            </div>
          </>
        )}
        <div className="actions">
          <button type="submit">Filter</button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setDraft({});
              navigate(path);
            }}
          >
            Clear
          </button>
        </div>
      </form>
    </search>
  );
}

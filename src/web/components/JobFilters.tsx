import { type FormEvent, useState } from 'react';
import { JOB_STATUSES } from '../../client/api-client.ts';
import { JOB_FILTER_KEYS, type JobFilterKey } from '../../contract/job-filters.ts';
import { api } from '../app/api.ts';
import { navigate, withQuery } from '../app/router.tsx';
import { useResource } from '../app/use-resource.ts';

/** The filters that live in the URL's query, so a filtered list can be bookmarked and the back button undoes. */
export type Filters = Partial<Record<JobFilterKey, string>>;

export function filtersOf(query: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const key of JOB_FILTER_KEYS) {
    const value = query.get(key);
    if (value) filters[key] = value;
  }
  return filters;
}

interface JobFiltersProps {
  /** The page path the filters apply to, e.g. `queue/web/`. */
  path: string;
  filters: Filters;
  /** Whether to offer the user filter: not on "Mine", which is one user's already. */
  byOwner: boolean;
  /** The queues to choose from, where the queue is not in the page's path (the admin's list of every job). */
  queues?: readonly string[];
}

/** Name or id, tag, status, user, arch and type (and for the admin, queue); applying starts at the first page. */
export function JobFilters({ path, filters, byOwner, queues }: JobFiltersProps) {
  const [draft, setDraft] = useState<Filters>(filters);
  const arches = useResource(() => api.arches(), 'arches');
  const types = useResource(() => api.imageTypes(), 'image-types');
  const field = (key: JobFilterKey) => ({
    id: `filter-${key}`,
    value: draft[key] ?? '',
    onChange: (event: { target: { value: string } }) => setDraft({ ...draft, [key]: event.target.value }),
  });
  const choice = (key: JobFilterKey, label: string, options: readonly string[]) => (
    <div>
      <label htmlFor={`filter-${key}`}>{label}</label>
      <select {...field(key)}>
        <option value="">any</option>
        {/* A value from the URL that the list does not know (an old arch) stays selectable. */}
        {[...new Set([...options, ...(filters[key] ? [filters[key]] : [])])].map((option) => (
          <option key={option}>{option}</option>
        ))}
      </select>
    </div>
  );
  const apply = (event: FormEvent) => {
    event.preventDefault();
    navigate(withQuery(path, draft));
  };
  return (
    <search>
      <form className="filters" onSubmit={apply}>
        <div>
          <label htmlFor="filter-text">Name or ID</label>
          <input type="search" {...field('text')} />
        </div>
        <div>
          <label htmlFor="filter-tag">Tag</label>
          <input type="search" {...field('tag')} />
        </div>
        {choice('status', 'Status', JOB_STATUSES)}
        {byOwner && (
          <div>
            <label htmlFor="filter-owner">User</label>
            <input {...field('owner')} autoComplete="off" size={10} />
          </div>
        )}
        {choice('arch', 'Arch', arches.data?.map((arch) => arch.name) ?? [])}
        {choice('type', 'Type', types.data?.map((type) => type.name) ?? [])}
        {queues && choice('queue', 'Queue', queues)}
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

/** The pages and their URLs below the prefix; the original's queue URLs (`queue/filter/<queue>/`) still work. */
export type Route =
  | { page: 'login' }
  | { page: 'submit' }
  | { page: 'queue'; queue: string | undefined; mine: boolean }
  | { page: 'job'; id: string }
  | { page: 'admin'; section: AdminSection }
  | { page: 'stats' }
  | { page: 'share'; token: string }
  | { page: 'not-found' };

const ADMIN_SECTIONS = [
  'jobs',
  'queues',
  'workers',
  'users',
  'groups',
  'site',
  'tokens',
  'password',
] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];

export function matchRoute(path: string): Route {
  const [first = '', ...rest] = path.split('/').map(decodeURIComponent);
  switch (first) {
    case '':
      return { page: 'queue', queue: undefined, mine: false };
    case 'login':
      return { page: 'login' };
    case 'submit':
      return { page: 'submit' };
    case 'queue': {
      const mine = rest[0] === 'filter';
      const queue = mine ? rest[1] : rest[0];
      return { page: 'queue', queue: queue || undefined, mine };
    }
    case 'stats':
      return { page: 'stats' };
    case 'job':
      return rest[0] ? { page: 'job', id: rest[0] } : { page: 'not-found' };
    case 'share':
      return rest[0] ? { page: 'share', token: rest[0] } : { page: 'not-found' };
    case 'admin': {
      const section = (rest[0] || 'jobs') as AdminSection;
      return ADMIN_SECTIONS.includes(section) ? { page: 'admin', section } : { page: 'not-found' };
    }
    default:
      return { page: 'not-found' };
  }
}

export function queuePath(options: { queue?: string | undefined; mine: boolean }): string {
  const parts = ['queue', ...(options.mine ? ['filter'] : []), ...(options.queue ? [options.queue] : [])];
  return `${parts.map(encodeURIComponent).join('/')}/`;
}

export const jobPath = (id: string) => `job/${encodeURIComponent(id)}`;

/** The page a share link opens, for someone without an account. */
export const sharePath = (token: string) => `share/${encodeURIComponent(token)}`;

import { DEFAULT_SITE_NAME } from '../../contract/site.ts';
import { api } from './api.ts';
import { Link } from './router.tsx';
import type { Route } from './routes.ts';
import { useCurrentUser } from './session.ts';
import { useResource } from './use-resource.ts';

/** The original's tabs: Submit, Queue, Admin, Logout; someone who is not an admin gets their own account's page. */
export function TopBar({ route, onLogOut }: { route: Route; onLogOut: () => void }) {
  const user = useCurrentUser();
  // The name an admin gave the site (Admin, Site); IMG until it loads or when none was given.
  const site = useResource(() => api.site(), 'site');
  const current = (page: Route['page']) => (route.page === page ? ('page' as const) : undefined);
  return (
    <header className="topbar">
      <Link className="brand" to="queue/">
        {site.data?.name ?? DEFAULT_SITE_NAME}
      </Link>
      {user && (
        <>
          <nav aria-label="Pages">
            <Link to="submit/" aria-current={current('submit')}>
              Submit
            </Link>
            <Link to="queue/" aria-current={current('queue')}>
              Queue
            </Link>
            <Link to="stats/" aria-current={current('stats')}>
              Stats
            </Link>
            <Link to={user.admin ? 'admin/' : 'admin/tokens/'} aria-current={current('admin')}>
              {user.admin ? 'Admin' : 'My account'}
            </Link>
          </nav>
          <div className="whoami">
            <span>
              {user.username}
              {user.admin && ' (admin)'}
            </span>
            <button type="button" className="secondary" onClick={onLogOut}>
              Log out
            </button>
          </div>
        </>
      )}
    </header>
  );
}

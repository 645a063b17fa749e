import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { ApiError, type Session } from '../../client/api-client.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { AdminPage } from '../pages/admin/AdminPage.tsx';
import { JobPage } from '../pages/job/JobPage.tsx';
import { LoginPage } from '../pages/LoginPage.tsx';
import { NotFoundPage } from '../pages/NotFoundPage.tsx';
import { QueuePage } from '../pages/queue/QueuePage.tsx';
import { SharePage } from '../pages/share/SharePage.tsx';
import { SubmitPage } from '../pages/submit/SubmitPage.tsx';
import { api } from './api.ts';
import { DefaultPasswordBanner } from './DefaultPasswordBanner.tsx';
import { navigate, useLocation } from './router.tsx';
import { matchRoute, type Route } from './routes.ts';
import { RefreshSessionContext, type User, UserContext } from './session.ts';
import { TopBar } from './TopBar.tsx';

/** `undefined` while the server is asked whether this browser is logged in. */
type LoginState = User | null | undefined;

export function App() {
  const [user, setUser] = useState<LoginState>(undefined);
  const [sessionError, setSessionError] = useState<unknown>();
  const { path } = useLocation();
  const route = matchRoute(path);

  const refreshSession = useCallback(() => {
    api.session().then(
      (session) => setUser(userOf(session)),
      (error: unknown) => {
        if (!(error instanceof ApiError && error.status === 401)) setSessionError(error);
        setUser(null);
      },
    );
  }, []);
  useEffect(refreshSession, [refreshSession]);

  useEffect(() => {
    if (user && route.page === 'login') navigate('queue/', { replace: true });
  }, [user, route.page]);

  const logOut = async () => {
    await api.endSession().catch(() => {});
    setUser(null);
    navigate('login/');
  };

  // A share link is for people without an account: it opens without a login, whoever is logged in.
  if (route.page === 'share') {
    return (
      <main id="main" tabIndex={-1}>
        <SharePage token={route.token} />
      </main>
    );
  }
  return (
    <UserContext.Provider value={user ?? null}>
      <RefreshSessionContext.Provider value={refreshSession}>
        <SkipLink />
        <TopBar route={route} onLogOut={logOut} />
        {user && <DefaultPasswordBanner user={user} />}
        <main id="main" tabIndex={-1}>
          {user === undefined && <p>Loading…</p>}
          {user === null && (
            <>
              <ErrorNotice error={sessionError} />
              {/* The address stays: after logging in, the page that was asked for appears. */}
              <LoginPage onLogin={(session) => setUser(userOf(session))} />
            </>
          )}
          {user && <Page route={route} />}
        </main>
      </RefreshSessionContext.Provider>
    </UserContext.Provider>
  );
}

// Its chart library is most of the page's code: loaded when the page is first opened, not with every page.
const StatsPage = lazy(() => import('../pages/stats/StatsPage.tsx'));

const userOf = ({ username, admin, ldap, default_password_accounts }: Session): User => ({
  username,
  admin,
  ldap,
  default_password_accounts,
});

/** The first stop of the Tab key. A link to `#main` would resolve against the `<base href>` and leave the page. */
function SkipLink() {
  return (
    <button type="button" className="skip-link" onClick={() => document.getElementById('main')?.focus()}>
      Skip to the page
    </button>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'login':
    case 'share':
      return null;
    case 'submit':
      return <SubmitPage />;
    case 'queue':
      return <QueuePage key={`${route.queue}/${route.mine}`} queue={route.queue} mine={route.mine} />;
    case 'job':
      return <JobPage key={route.id} id={route.id} />;
    case 'admin':
      return <AdminPage section={route.section} />;
    case 'stats':
      return (
        <Suspense fallback={<p>Loading…</p>}>
          <StatsPage />
        </Suspense>
      );
    case 'not-found':
      return <NotFoundPage />;
  }
}

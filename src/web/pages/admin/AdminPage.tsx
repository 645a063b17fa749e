import { Link } from '../../app/router.tsx';
import type { AdminSection } from '../../app/routes.ts';
import { useUser } from '../../app/session.ts';
import { PageTitle } from '../../components/PageTitle.tsx';
import { AdminGroups } from './AdminGroups.tsx';
import { AdminJobs } from './AdminJobs.tsx';
import { AdminQueues } from './AdminQueues.tsx';
import { AdminSite } from './AdminSite.tsx';
import { AdminTokens } from './AdminTokens.tsx';
import { AdminUsers } from './AdminUsers.tsx';
import { AdminWorkers } from './AdminWorkers.tsx';
import { OwnPassword } from './OwnPassword.tsx';

const SECTIONS: { section: AdminSection; label: string; adminOnly: boolean }[] = [
  { section: 'jobs', label: 'Image jobs', adminOnly: true },
  { section: 'queues', label: 'Queues', adminOnly: true },
  { section: 'workers', label: 'Workers', adminOnly: true },
  { section: 'users', label: 'Users', adminOnly: true },
  { section: 'groups', label: 'Groups', adminOnly: true },
  { section: 'site', label: 'Site', adminOnly: true },
  { section: 'tokens', label: 'My API tokens', adminOnly: false },
  { section: 'password', label: 'My password', adminOnly: false },
];

/** The original's Django admin, by section; a user who is not an admin manages only their own tokens and password. */
export function AdminPage({ section }: { section: AdminSection }) {
  const user = useUser();
  const visible = SECTIONS.filter((entry) => user.admin || !entry.adminOnly);
  const current = visible.find((entry) => entry.section === section) ?? visible[0]!;
  return (
    <>
      <PageTitle title={current.label}>{user.admin ? `Admin: ${current.label}` : current.label}</PageTitle>
      {visible.length > 1 && (
        <nav className="tabs" aria-label="Admin sections">
          {visible.map((entry) => (
            <Link
              key={entry.section}
              to={`admin/${entry.section}/`}
              aria-current={entry.section === current.section ? 'page' : undefined}
            >
              {entry.label}
            </Link>
          ))}
        </nav>
      )}
      <AdminSectionBody section={current.section} />
    </>
  );
}

function AdminSectionBody({ section }: { section: AdminSection }) {
  switch (section) {
    case 'jobs':
      return <AdminJobs />;
    case 'queues':
      return <AdminQueues />;
    case 'workers':
      return <AdminWorkers />;
    case 'users':
      return <AdminUsers />;
    case 'groups':
      return <AdminGroups />;
    case 'site':
      return <AdminSite />;
    case 'tokens':
      return <AdminTokens />;
    case 'password':
      return <OwnPassword />;
  }
}

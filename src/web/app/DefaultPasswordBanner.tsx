import { Link } from './router.tsx';
import type { User } from './session.ts';

/**
 * Told to every admin while an account keeps the password the first start gave it (the server knows from a
 * flag set at start-up, not by trying the password on every page): anyone who read the README can log in as it.
 */
export function DefaultPasswordBanner({ user }: { user: User }) {
  const accounts = user.default_password_accounts;
  if (accounts.length === 0) return null;
  const own = accounts.includes(user.username);
  return (
    <div className="notice warning banner" role="alert">
      <p>
        <strong>{accounts.join(', ')}</strong> still {accounts.length === 1 ? 'has' : 'have'} the default
        password, which anyone who has read IMG's README knows.{' '}
        {own ? (
          <Link to="admin/password/">Change your password now</Link>
        ) : (
          <Link to="admin/users/">Set a new password in Users</Link>
        )}
        .
      </p>
    </div>
  );
}

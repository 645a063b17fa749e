import { createContext, useContext } from 'react';
import type { Session } from '../../client/api-client.ts';

export type User = Pick<Session, 'username' | 'admin' | 'ldap' | 'default_password_accounts'>;

/** Who is logged in; null on the login page. */
export const UserContext = createContext<User | null>(null);

/** Asks the server again who is logged in: after what changes the session's account (a new password). */
export const RefreshSessionContext = createContext<() => void>(() => {});

export function useCurrentUser(): User | null {
  return useContext(UserContext);
}

/** For the pages behind the login, which are only drawn with a user. */
export function useUser(): User {
  const user = useContext(UserContext);
  if (!user) throw new Error('useUser outside a logged-in page');
  return user;
}

export function useRefreshSession(): () => void {
  return useContext(RefreshSessionContext);
}

/** The server's rule for changing a job (cancel, retry, delete, pin, tags, share): its owner or an admin. */
export function mayChange(user: Pick<User, 'username' | 'admin'>, job: { owner: string }): boolean {
  return user.admin || job.owner === user.username;
}

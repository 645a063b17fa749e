import { ApiError } from '../../client/api-client.ts';
import { href } from '../app/router.tsx';

/**
 * A failed call as the user should read it: the server's message, and a way back in when the session ended
 * (not on the login form itself, where a refused password is already on the way back in).
 */
export function ErrorNotice({ error, offerLogin = true }: { error: unknown; offerLogin?: boolean }) {
  if (error === undefined || error === null) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="notice error" role="alert">
      <p>{message}</p>
      {offerLogin && error instanceof ApiError && error.status === 401 && (
        <p>
          {/* A full load: the page asks the server afresh who is logged in. */}
          <a href={href('login/')}>Log in again</a>
        </p>
      )}
    </div>
  );
}

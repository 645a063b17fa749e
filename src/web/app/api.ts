import { ApiClient } from '../../client/api-client.ts';

/** The page's one client: the API of the server that served the page, logged in by the session cookie. */
export const api = new ApiClient({ server: `${location.origin}/` });

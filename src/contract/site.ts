/** What the pages and mails call the site until an admin names it. */
export const DEFAULT_SITE_NAME = 'IMG';
/** The longest site name: it is the pages' title and the mails' subject. */
export const MAX_SITE_NAME = 100;
/** The longest public base URL. */
export const MAX_SITE_URL = 2000;

/** The longest a share link may live: it is for handing an image over, not a standing mirror. */
export const MAX_SHARE_HOURS = 30 * 24;

/** The most rows a list's total counts (or skips by `offset`), so that no question about a million jobs blocks. */
export const COUNT_LIMIT = 10_000;

/** The most jobs one bulk delete goes through; more matching are left for the next call (`more`). */
export const BULK_DELETE_LIMIT = 5_000;

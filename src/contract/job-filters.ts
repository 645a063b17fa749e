/**
 * What a list of jobs can be narrowed by (the API's list query and bulk delete, the pages' filters), in the order
 * the pages write them into an address. Without TypeBox, so the pages' first load does not carry the schemas.
 */
export const JOB_FILTER_KEYS = ['status', 'text', 'tag', 'owner', 'arch', 'type', 'queue'] as const;
export type JobFilterKey = (typeof JOB_FILTER_KEYS)[number];

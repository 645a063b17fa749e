/** Share links: a job's files downloaded without a login, until the link expires or is revoked. */

export { sharedFiles } from './files.ts';
export {
  type CreatedShareLink,
  createShareService,
  type ShareLink,
  type ShareService,
} from './service.ts';

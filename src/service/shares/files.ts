import { kickstartFileName } from '../../builder/paths.ts';
import { type Job, logFileName } from '../jobs/index.ts';

/**
 * The files of a job a share link gives: all but its log and its kickstart. The log names the build host's
 * paths, mirrors and repository addresses; the kickstart may hold a root password in plain text or a hash to
 * crack. Neither is needed to use the image, and the owner can still send them on by hand.
 */
export function sharedFiles(job: Job): Job['artifacts'] {
  const kept = new Set([logFileName(job), kickstartFileName(job.name)]);
  return job.artifacts.filter((artifact) => !kept.has(artifact.name));
}

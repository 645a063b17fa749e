import { isImageType } from '../../builder/image-types.ts';
import { imageUse } from '../../builder/image-usage.ts';
import type { JobResult } from '../../contract/api.ts';
import { parseKickstart } from '../../kickstart/index.ts';
import { kickstartLogins } from '../../kickstart/logins.ts';
import type { Job } from '../jobs/index.ts';

/**
 * A finished job's image, how to use it for its type, and who can log in to it: what the job page and a share
 * link put first. The logins come from the kickstart as built (tokens filled in), and say only whether a
 * password was set, never the password or its hash.
 */
export function presentJobResult(job: Job): JobResult {
  const image = job.artifacts.find((artifact) => artifact.main) ?? null;
  const file = image?.name.split('/').pop();
  const { kickstart, ok } = parseKickstart(job.built_kickstart ?? job.kickstart);
  const logins = kickstartLogins(kickstart);
  return {
    image,
    use: file !== undefined && isImageType(job.type) ? imageUse(job.type, job.arch, file) : null,
    logins:
      ok || logins.rootPassword || logins.users.length > 0
        ? { root_password: logins.rootPassword, users: logins.users }
        : null,
  };
}

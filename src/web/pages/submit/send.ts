import type { Job } from '../../../client/api-client.ts';
import { api } from '../../app/api.ts';
import { type SubmitDraft, submitJson } from './draft.ts';

/** The JSON body, but an uploaded file goes as the form upload it is, under its own file name. */
export function sendDraft(draft: SubmitDraft): Promise<Job> {
  if (draft.source !== 'file') return api.submit(submitJson(draft));
  const {
    kickstart = '',
    extra_repos = [],
    packages = [],
    tags = [],
    pinned,
    fresh,
    ...rest
  } = submitJson(draft);
  return api.submitForm({
    ...rest,
    kickstart: { content: kickstart, filename: draft.fileName },
    extra_repos: extra_repos.join(','),
    packages: packages.join(','),
    tags: tags.join(','),
    pinned: pinned ? 'yes' : 'no',
    ...(fresh ? { fresh: 'yes' } : {}),
  });
}

import type { Job } from '../../../client/api-client.ts';
import { api } from '../../app/api.ts';
import { type SubmitDraft, submission } from './draft.ts';

/**
 * A template by name, pasted or rendered text as JSON (a rendered one named after its file), an uploaded file as
 * the form upload it is.
 */
export function sendDraft(draft: SubmitDraft): Promise<Job> {
  const fields = submission(draft);
  switch (draft.source) {
    case 'template':
      return api.submit({ ...fields, template: draft.template });
    case 'text':
      return api.submit({ ...fields, kickstart: draft.text });
    case 'kickstarter':
      return api.submit({ name: baseName(draft.fileName), ...fields, kickstart: draft.text });
    case 'file': {
      const { extra_repos = [], packages = [], tags = [], pinned, ...rest } = fields;
      return api.submitForm({
        ...rest,
        kickstart: { content: draft.text, filename: draft.fileName },
        extra_repos: extra_repos.join(','),
        packages: packages.join(','),
        tags: tags.join(','),
        pinned: pinned ? 'yes' : 'no',
      });
    }
  }
}

/** `1.10/small.ks` → `small`. */
function baseName(path: string): string {
  return (path.split('/').pop() ?? path).replace(/\.ks$/, '');
}

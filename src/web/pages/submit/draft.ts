import type { SubmitJson } from '../../../client/api-client.ts';
import { splitList } from '../../app/format.ts';
import { tokenMap, tokensIn } from '../../app/kickstart-tokens.ts';

/** Where the kickstart comes from. The API takes no kickstarter YAML, so the form offers none. */
export type KickstartSource = 'template' | 'file' | 'text';

/** Everything the submit form holds, as the user typed it. */
export interface SubmitDraft {
  source: KickstartSource;
  template: string;
  /** The uploaded file's name; its text is in `text`, where the user can read and correct it. */
  fileName: string;
  text: string;
  type: string;
  arch: string;
  queue: string;
  name: string;
  tokens: Record<string, string>;
  /** `TOKEN:VALUE,…` for tokens the form cannot see (those of a template). */
  otherTokens: string;
  repos: string[];
  packages: string;
  tags: string;
  pinned: boolean;
  email: string;
}

export const emptyDraft: SubmitDraft = {
  source: 'template',
  template: '',
  fileName: '',
  text: '',
  type: '',
  arch: '',
  queue: 'web',
  name: '',
  tokens: {},
  otherTokens: '',
  repos: [],
  packages: '',
  tags: '',
  pinned: false,
  email: '',
};

/** The `@TOKEN@`s the form can see: those of the kickstart text (the API does not offer a template's text). */
export function tokenNames(draft: SubmitDraft): string[] {
  return draft.source === 'template' ? [] : tokensIn(draft.text);
}

/** The draft as the JSON submission; the kickstart itself is added by the caller, as text, file or template. */
export function submission(draft: SubmitDraft): Omit<SubmitJson, 'kickstart' | 'template'> {
  // Values typed for tokens since removed from the text are left out.
  const shown = Object.fromEntries(tokenNames(draft).map((name) => [name, draft.tokens[name] ?? '']));
  const tokenmap = [tokenMap(shown), draft.otherTokens.trim()].filter((part) => part !== '').join(',');
  const optional = {
    name: draft.name.trim(),
    email: draft.email.trim(),
    tokenmap,
  };
  return {
    type: draft.type,
    arch: draft.arch,
    queue: draft.queue,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== '')),
    extra_repos: draft.repos.map((repo) => repo.trim()).filter((repo) => repo !== ''),
    packages: splitList(draft.packages),
    tags: splitList(draft.tags),
    pinned: draft.pinned,
  };
}

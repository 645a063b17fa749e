import type { Job, LintRequest, SubmitJson } from '../../../client/api-client.ts';
import { parseTokenMap, tokensIn } from '../../../kickstart/tokens.ts';
import { splitList } from '../../app/format.ts';
import { tokenMap } from '../../app/kickstart-tokens.ts';

/** Where the kickstart comes from; kickstarter YAML is rendered by the server into text the user can edit. */
export type KickstartSource = 'template' | 'file' | 'text' | 'kickstarter';

/** Each source as the form offers it, and what the help says of it. */
export const KICKSTART_SOURCES: Record<KickstartSource, { label: string; help: string }> = {
  template: {
    label: 'A ready template',
    help: 'a kickstart kept on the server for common images; pick one, fill in its tokens, submit',
  },
  file: {
    label: 'A kickstart file',
    help: 'a .ks file from your computer; it is shown below, checked, and can be corrected before it is sent',
  },
  text: {
    label: 'Paste a kickstart',
    help: 'kickstart text typed or pasted here, checked by the server as you type',
  },
  kickstarter: {
    label: 'Kickstarter YAML',
    help:
      'configurations.yaml (and repos.yaml, scripts/, partitions/) as kickstarter reads them; the server renders ' +
      'them into kickstarts and the chosen one is submitted like pasted text',
  },
};

/** Everything the submit form holds, as the user typed it. */
export interface SubmitDraft {
  source: KickstartSource;
  template: string;
  /** The chosen template's `@TOKEN@`s, as the server lists them. */
  templateTokens: string[];
  /**
   * The uploaded file's name, or the path of the kickstart rendered from kickstarter YAML; its text is in `text`,
   * where the user can read and correct it.
   */
  fileName: string;
  /** Kickstarter's configurations.yaml and repos.yaml, as pasted. */
  configurationsYaml: string;
  reposYaml: string;
  /** The scripts/ and partitions/ files of a chosen kickstarter folder, by their path in it. */
  kickstarterFiles: Record<string, string>;
  text: string;
  type: string;
  arch: string;
  queue: string;
  name: string;
  tokens: Record<string, string>;
  /** `TOKEN:VALUE,…` for tokens the form has no field for. */
  otherTokens: string;
  repos: string[];
  packages: string;
  tags: string;
  pinned: boolean;
  /** Build afresh even when an identical build is DONE or running. */
  fresh: boolean;
  email: string;
}

export const emptyDraft: SubmitDraft = {
  source: 'template',
  template: '',
  templateTokens: [],
  fileName: '',
  configurationsYaml: '',
  reposYaml: '',
  kickstarterFiles: {},
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
  fresh: false,
  email: '',
};

/**
 * The fields one source of the kickstart sets, directly or through its hints: a template's type, arch and name,
 * an upload's file and text, pasted YAML. They start afresh when the user picks another source, so nothing of
 * the old one is sent with the new; what the job is for (queue, extras, tags, mail, pin) stays.
 */
const SOURCE_FIELDS = [
  'template',
  'templateTokens',
  'fileName',
  'configurationsYaml',
  'reposYaml',
  'kickstarterFiles',
  'text',
  'name',
  'tokens',
  'otherTokens',
] as const satisfies readonly (keyof SubmitDraft)[];

/** The draft with another source; `defaults` are the catalog's type and arch, and a template's hints. */
export function withSource(
  draft: SubmitDraft,
  source: KickstartSource,
  defaults: Partial<SubmitDraft>,
): SubmitDraft {
  const fresh = Object.fromEntries(SOURCE_FIELDS.map((field) => [field, emptyDraft[field]]));
  return { ...draft, ...fresh, ...defaults, source };
}

/**
 * "Edit and resubmit": the form filled from a job, its kickstart as text to edit (as submitted, tokens not yet
 * applied), its tokens in their fields where the text has them, and what the job was for; not pinned, not fresh.
 */
export function draftFromJob(job: Job): SubmitDraft {
  const inText = new Set(tokensIn(job.kickstart));
  const parsed = parseTokenMap(job.tokenmap);
  const pairs = parsed.ok ? [...parsed.tokens] : [];
  return {
    ...emptyDraft,
    source: 'text',
    fileName: `${job.name}.ks`,
    text: job.kickstart,
    type: job.type,
    arch: job.arch,
    queue: job.queue,
    name: job.name,
    tokens: Object.fromEntries(pairs.filter(([name]) => inText.has(name))),
    otherTokens: parsed.ok
      ? pairs
          .filter(([name]) => !inText.has(name))
          .map(([name, value]) => `${name}:${value}`)
          .join(',')
      : job.tokenmap,
    repos: [...job.extra_repos],
    packages: job.packages.join(', '),
    tags: job.tags.join(', '),
    email: job.email ?? '',
  };
}

/** The `@TOKEN@`s to offer fields for: the template's, or those of the kickstart text. */
export function tokenNames(draft: SubmitDraft): string[] {
  return draft.source === 'template' ? draft.templateTokens : tokensIn(draft.text);
}

/** The kickstart as the check while typing sees it; null while there is no text to check. */
export function lintRequest(draft: SubmitDraft): LintRequest | null {
  if (draft.source === 'template' || draft.text.trim() === '') return null;
  const { type, arch, tokenmap, extra_repos, packages } = submission(draft);
  return {
    kickstart: draft.text,
    ...(type === '' ? {} : { type }),
    ...(arch === '' ? {} : { arch }),
    tokenmap,
    extra_repos,
    packages,
  };
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
    ...(draft.fresh ? { fresh: true } : {}),
  };
}

/**
 * The draft as the JSON body of POST /jobs, as any client could send it: a template by name, the kickstart text
 * otherwise (an uploaded or rendered one named after its file unless a name was typed).
 */
export function submitJson(draft: SubmitDraft): SubmitJson {
  const fields = submission(draft);
  switch (draft.source) {
    case 'template':
      return { ...fields, template: draft.template };
    case 'text':
      return { ...fields, kickstart: draft.text };
    case 'file':
    case 'kickstarter':
      return { name: baseName(draft.fileName), ...fields, kickstart: draft.text };
  }
}

/** `1.10/small.ks` → `small`. */
function baseName(path: string): string {
  return (path.split('/').pop() ?? path).replace(/\.ks$/, '');
}

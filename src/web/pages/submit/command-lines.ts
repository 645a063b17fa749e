import { shellLine } from '../../../contract/shell-quote.ts';
import { type SubmitDraft, submitJson } from './draft.ts';

export interface CommandLines {
  /** The file `imger` reads the kickstart from, to be saved first; absent for a template. */
  kickstartFile?: string;
  imger: string;
  curl: string;
}

/**
 * The command lines that submit the same job as the form: `imger submit` and `curl` against the REST API, every
 * typed value quoted for a POSIX shell. `server` is the server's root URL with its trailing slash.
 */
export function commandLines(draft: SubmitDraft, server: string): CommandLines {
  const body = submitJson(draft);
  // The upload's own file name (a rendered one's without its folder); pasted text is saved under the job's name.
  const kickstartFile =
    body.template === undefined
      ? draft.fileName.split('/').pop() || `${body.name ?? 'kickstart'}.ks`
      : undefined;
  const flags: string[] = [`--server=${server}`];
  if (kickstartFile === undefined) flags.push(`--template=${body.template}`);
  else flags.push(`--kickstart=${kickstartFile}`);
  flags.push(`--type=${body.type}`, `--arch=${body.arch}`);
  const optional = { queue: body.queue, name: body.name, email: body.email, tokenmap: body.tokenmap };
  for (const [flag, value] of Object.entries(optional))
    if (value !== undefined) flags.push(`--${flag}=${value}`);
  for (const tag of body.tags ?? []) flags.push(`--tag=${tag}`);
  for (const repo of body.extra_repos ?? []) flags.push(`--extra-repo=${repo}`);
  for (const name of body.packages ?? []) flags.push(`--package=${name}`);
  if (body.pinned) flags.push('--pin');
  if (body.fresh) flags.push('--fresh');
  return {
    ...(kickstartFile === undefined ? {} : { kickstartFile }),
    imger: shellLine(['imger', 'submit', ...flags]),
    curl: shellLine([
      'curl',
      '--fail-with-body',
      '-H',
      // Expanded by the shell: the token stays out of the page and the copied line.
      { raw: '"Authorization: Bearer $IMG_TOKEN"' },
      '--json',
      JSON.stringify(body),
      `${server}api/v1/jobs`,
    ]),
  };
}

import { APT_WORD, GROUP_ENTRY, PACKAGE_NAME } from '../builder/source-names.ts';
import { MAX_SITE_NAME, MAX_SITE_URL } from '../contract/site.ts';
import { parseTokenMap } from '../kickstart/index.ts';

/**
 * The rules for the text fields people send with a job or an account, once: the jobs and users services refuse
 * what breaks them (so the REST API, the web pages, the CLI and the BOSS participant all meet the same rules), and
 * the participant reads them too, to name a workitem's own fields. Each rule answers the problem without the
 * field's name, or null; callers name the field as their caller knows it.
 */

/**
 * Characters that end a line somewhere: C0 controls (CR, LF, and the vertical tab, form feed and separators
 * Python's splitlines() breaks on: mic reads kickstarts with it), DEL, NEL and the Unicode line separators.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this rule's purpose.
const LINE_BREAKING = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/;

const describeChar = (char: string) =>
  `U+${char.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`;

function controlProblem(value: string): string | null {
  const found = LINE_BREAKING.exec(value)?.[0];
  return found === undefined ? null : `holds a line break or control character (${describeChar(found)})`;
}

/** The WHATWG's rule for an `<input type=email>`: one address, no display name, no list, no comments. */
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** One e-mail address: a mail header is built from it, where a line break or a comma would add recipients. */
export function emailProblem(value: string): string | null {
  if (value.length > 254 || !EMAIL.test(value)) return `"${printable(value)}" is not one e-mail address`;
  return null;
}

/** Schemes a build fetches a repository over; file: would read the build host's own disk. */
const REPO_SCHEMES = new Set(['http:', 'https:', 'ftp:']);
/** RFC 3986's characters, without brackets (an IPv6 literal has to go in the kickstart's own repo line). */
const URL_TEXT = /^[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]+$/;

/** The URL that `text` is, when it is one and of RFC 3986's characters only; else the problem. */
function parseUrlText(text: string): URL | string {
  if (!URL_TEXT.test(text))
    return `"${printable(text)}" is not a URL (spaces, brackets, quotes are not allowed)`;
  try {
    return new URL(text);
  } catch {
    return `"${text}" is not a URL`;
  }
}

/**
 * An extra repository, `URL` or `URL SUITE [COMPONENT…]`: it becomes one `repo` line of the kickstart the
 * builder reads, so the URL must be one plain http, https or ftp URL, and suite and components plain words.
 */
export function repoProblem(spec: string): string | null {
  const control = controlProblem(spec);
  if (control) return control;
  const [url = '', ...words] = spec.trim().split(/ +/);
  const parsed = parseUrlText(url);
  if (typeof parsed === 'string') return parsed;
  if (!REPO_SCHEMES.has(parsed.protocol) || parsed.hostname === '')
    return `"${url}" must be an http://, https:// or ftp:// URL with a host`;
  const bad = words.find((word) => !APT_WORD.test(word));
  if (bad !== undefined) return `suite or component "${printable(bad)}" is not a plain word`;
  return null;
}

/**
 * The site's public base URL, which links in pages, mails and BOSS replies start with: one plain http(s) URL of a
 * host and a path, without user or password (a link would hand them to everyone), query or fragment (a link's
 * path would land in them), and only RFC 3986's characters, so it cannot break a mail header or a line.
 */
export function siteUrlProblem(url: string): string | null {
  const control = controlProblem(url);
  if (control) return control;
  if (url.length > MAX_SITE_URL) return `is longer than ${MAX_SITE_URL} characters`;
  const parsed = parseUrlText(url);
  if (typeof parsed === 'string') return parsed;
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '')
    return `"${url}" must be an http:// or https:// URL with a host`;
  if (parsed.username !== '' || parsed.password !== '') return 'must not hold a user name or password';
  if (parsed.search !== '' || parsed.hash !== '' || /[?#]/.test(url))
    return 'must not hold a ? query or a # fragment';
  return null;
}

/** The site's name: the pages' title and the mails' subject (a header), so one line of text. */
export function siteNameProblem(name: string): string | null {
  if (name.trim() === '' || name.length > MAX_SITE_NAME) return `must be 1 to ${MAX_SITE_NAME} characters`;
  return controlProblem(name) ?? unicodeProblem(name);
}

/** A package overlay entry, as rpm and Debian name them: `name`, `-name`, `@group`, `-@group`, `@^environment`. */
export function packageProblem(entry: string): string | null {
  const text = entry.trim();
  if (text.length > 200 || !(PACKAGE_NAME.test(text) || GROUP_ENTRY.test(text)))
    return `"${printable(text)}" is not a package name, -name, @group or @^environment`;
  return null;
}

export function tagProblem(tag: string): string | null {
  return controlProblem(tag) ?? (tag.length > 200 ? 'is longer than 200 characters' : null);
}

/** mic substitutes token values in the whole kickstart text: a line break in one would add lines after the checks. */
export function tokenmapProblem(spec: string): string | null {
  const tokens = parseTokenMap(spec);
  if (!tokens.ok) return tokens.error;
  for (const [name, value] of tokens.tokens) {
    const problem = controlProblem(value);
    if (problem) return `the value of ${name} ${problem}`;
  }
  return null;
}

/**
 * A name someone logs in with: looked up in the database (PostgreSQL's text cannot hold a NUL) and sent to the
 * LDAP directory. No user name holds a control character, so none is passed on.
 */
export function loginNameProblem(name: string): string | null {
  return controlProblem(name);
}

/** A job's name becomes file names (`<name>.log`), so it is kept to characters safe in a path. */
export function jobNameProblem(name: string): string | null {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) return null;
  return `"${printable(name)}" must be 1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit`;
}

/** What an API token's owner calls it: shown on a page, so one line of text. */
export function tokenNameProblem(name: string): string | null {
  if (name.trim() === '' || name.length > MAX_SITE_NAME) return `must be 1 to ${MAX_SITE_NAME} characters`;
  return controlProblem(name);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text that cannot be written as UTF-8 as it is (JSON can carry half a surrogate pair); it would be changed. */
export function unicodeProblem(text: string): string | null {
  const index = text.search(LONE_SURROGATE);
  return index < 0 ? null : `is not valid Unicode (half a surrogate pair at character ${index})`;
}

export interface FieldProblem {
  /** The field as the REST API names it, with the index of a list's entry: `extra_repos[1]`. */
  field: string;
  message: string;
}

/** The text fields of a submission, each optional: the checks of the fields given. */
export interface SubmissionFields {
  kickstart?: string;
  name?: string;
  email?: string;
  tokenmap?: string;
  extraRepos?: readonly string[];
  packages?: readonly string[];
  tags?: readonly string[];
}

export function submissionProblems(fields: SubmissionFields): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const check = (field: string, value: string | undefined, rule: (value: string) => string | null) => {
    const message = value === undefined ? null : rule(value);
    if (message !== null) problems.push({ field, message });
  };
  const checkList = (
    field: string,
    values: readonly string[] | undefined,
    rule: (value: string) => string | null,
  ) => {
    for (const [index, value] of (values ?? []).entries()) check(`${field}[${index}]`, value, rule);
  };
  check('kickstart', fields.kickstart, unicodeProblem);
  check('name', fields.name, jobNameProblem);
  check('email', fields.email, emailProblem);
  check('tokenmap', fields.tokenmap, tokenmapProblem);
  checkList('extra_repos', fields.extraRepos, repoProblem);
  checkList('packages', fields.packages, packageProblem);
  checkList('tags', fields.tags, tagProblem);
  return problems;
}

/** One message naming every field: `email: "…" is not one e-mail address; tags[2]: …`. */
export function describeProblems(problems: readonly FieldProblem[]): string {
  return problems.map(({ field, message }) => `${field}: ${message}`).join('; ');
}

/** A value quoted in a message, its control characters shown as escapes so the message stays one line. */
function printable(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return shown.replace(new RegExp(LINE_BREAKING.source, 'g'), (char) => `\\u${describeChar(char).slice(2)}`);
}

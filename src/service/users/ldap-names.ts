import { Filter } from 'ldapts';
import { USER_PLACEHOLDER } from '../config/index.ts';

/**
 * A login name put into `[auth] ldap_user_filter` as one assertion value (RFC 4515): `*`, `(`, `)`, `\` and NUL
 * are hex-escaped, so a name like `*)(uid=*` matches itself only and cannot widen or rewrite the search.
 */
export function userFilter(template: string, login: string): string {
  return fill(template, Filter.escape(login));
}

/**
 * A login name put into `[auth] ldap_dn_template` as one attribute value (RFC 4514), so `,`, `+` and the rest
 * cannot add RDNs or move the DN to another entry of the tree.
 */
export function userDn(template: string, login: string): string {
  return fill(template, escapeDnValue(login));
}

/** A function replacer: `$&` and friends in a name are text, not replacement patterns. */
function fill(template: string, value: string): string {
  return template.replace(USER_PLACEHOLDER, () => value);
}

const DN_SPECIAL = new Set([',', '+', '"', '\\', '<', '>', ';', '=']);

/** RFC 4514 section 2.4, plus control characters hex-escaped so none reaches the server raw. */
export function escapeDnValue(value: string): string {
  let escaped = '';
  const characters = [...value];
  characters.forEach((character, index) => {
    const code = character.codePointAt(0) ?? 0;
    const edge =
      (index === 0 && (character === ' ' || character === '#')) ||
      (index === characters.length - 1 && character === ' ');
    if (code < 0x20 || code === 0x7f) escaped += `\\${code.toString(16).padStart(2, '0')}`;
    else if (edge || DN_SPECIAL.has(character)) escaped += `\\${character}`;
    else escaped += character;
  });
  return escaped;
}

/**
 * Two DNs compared as written, without the server's schema: attribute names and values alike ignore case and
 * the spaces around separators. Good enough for a configured group DN against a `memberOf` value; a miss falls
 * back to asking the server.
 */
export function sameDn(a: string, b: string): boolean {
  const normal = (dn: string) =>
    dn
      .trim()
      .replace(/\s*(?<!\\)([,+=])\s*/g, '$1')
      .toLowerCase();
  return normal(a) === normal(b);
}

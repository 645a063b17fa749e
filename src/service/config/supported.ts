import type { Config } from './keys.ts';
import { ConfigError } from './load.ts';

/**
 * Settings each valid alone that cannot work, now or together; they stop start-up rather than failing later
 * (an upload refused after a whole build).
 */
export function checkSupported(config: Config): void {
  if (config.worker.upload_url !== '' && config.worker.upload_token === '') {
    throw new ConfigError([
      '[worker] upload_token: an admin’s API token is needed to upload to [worker] upload_url',
    ]);
  }
  const problems = ldapProblems(config.auth);
  if (problems.length > 0) throw new ConfigError(problems);
}

/** LDAP needs one way to find a user's entry, and a service bind with a password (an empty one logs nobody in). */
function ldapProblems(auth: Config['auth']): string[] {
  if (auth.ldap_url === '') return [];
  const problems: string[] = [];
  const search = auth.ldap_user_base !== '';
  const template = auth.ldap_dn_template !== '';
  if (search === template)
    problems.push(
      '[auth] ldap_user_base, ldap_dn_template: give one, where users are searched for or the DN they bind as',
    );
  if (auth.ldap_bind_dn !== '' && auth.ldap_bind_password === '')
    problems.push(
      '[auth] ldap_bind_password: ldap_bind_dn needs its password (a bind with an empty one is anonymous)',
    );
  if (auth.ldap_starttls && auth.ldap_url.startsWith('ldaps:'))
    problems.push('[auth] ldap_starttls: ldaps:// is TLS from the start; StartTLS is for ldap:// only');
  if (auth.ldap_user_attr.trim() === '')
    problems.push('[auth] ldap_user_attr: the attribute that holds the IMG user name is needed');
  return problems;
}

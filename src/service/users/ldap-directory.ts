import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, type Entry, Filter, FilterParser, ResultCodeError } from 'ldapts';
import { type Config, ConfigError } from '../config/index.ts';
import { ServiceError } from '../errors.ts';
import { sameDn, userDn, userFilter } from './ldap-names.ts';

/** What a directory says about someone whose password it accepted. */
export interface DirectoryAccount {
  /** The entry's `[auth] ldap_user_attr`: the IMG user name, whatever spelling was typed. */
  name: string;
  email: string | null;
  /** Membership of `[auth] ldap_admin_group`; null when none is configured (admins are then set in IMG). */
  admin: boolean | null;
}

/** Where the passwords of the users that are not local live. */
export interface Directory {
  /**
   * The account when the directory accepts the password; null for a wrong password, an unknown or ambiguous name,
   * or an empty password. Throws a ServiceError `unavailable` when the directory cannot answer.
   */
  authenticate(login: string, password: string): Promise<DirectoryAccount | null>;
}

/**
 * The result codes that refuse a user's bind for their credentials or their account (locked, expired, not
 * allowed). Any other answer, or none, is the directory's problem, never a wrong password.
 */
const REFUSED = new Set([
  19, // constraintViolation: ppolicy's lockout
  32, // noSuchObject: a DN template made for a name that does not exist
  34, // invalidDNSyntax
  48, // inappropriateAuthentication
  49, // invalidCredentials
  50, // insufficientAccessRights
  53, // unwillingToPerform: a disabled account
]);

const RETRY_AFTER_SECONDS = 30;

/** The `[auth]` LDAP settings as a directory, or undefined when `ldap_url` is empty (local accounts only). */
export function openDirectory(config: Config): Directory | undefined {
  return config.auth.ldap_url === '' ? undefined : createLdapDirectory(config.auth);
}

export function createLdapDirectory(auth: Config['auth']): Directory {
  const url = new URL(auth.ldap_url);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const tls: ConnectionOptions = {
    rejectUnauthorized: auth.ldap_verify_certificate,
    // The name the certificate is checked against: ldapts's StartTLS would otherwise check it against
    // "localhost", whatever the server's name.
    host,
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ...(auth.ldap_ca_file === '' ? {} : { ca: readCa(auth.ldap_ca_file) }),
  };
  checkFilter(auth.ldap_user_filter);
  const timeoutMs = auth.ldap_timeout * 1000;
  const attributes = [auth.ldap_user_attr, auth.ldap_mail_attr, 'memberOf'].filter((name) => name !== '');

  const serviceBind = async (client: Client) => {
    if (auth.ldap_bind_dn !== '') await client.bind(auth.ldap_bind_dn, auth.ldap_bind_password);
  };

  /** False when the directory refuses the password; throws when it cannot answer. */
  const userBind = async (client: Client, dn: string, password: string) => {
    try {
      await client.bind(dn, password);
      return true;
    } catch (error) {
      if (error instanceof ResultCodeError && REFUSED.has(error.code)) return false;
      throw error;
    }
  };

  /** The entry of the login name when the directory accepts the password, else null. */
  const findAndBind = async (client: Client, login: string, password: string): Promise<Entry | null> => {
    if (auth.ldap_dn_template !== '') {
      const dn = userDn(auth.ldap_dn_template, login);
      if (!(await userBind(client, dn, password))) return null;
      // The entry as the service account sees it when there is one, else as the user.
      await serviceBind(client);
      const { searchEntries } = await client.search(dn, { scope: 'base', attributes });
      if (!searchEntries[0]) throw new Error(`bound as ${dn}, but that entry cannot be read`);
      return searchEntries[0];
    }
    await serviceBind(client);
    const { searchEntries } = await client.search(auth.ldap_user_base, {
      scope: 'sub',
      filter: userFilter(auth.ldap_user_filter, login),
      attributes,
      sizeLimit: 2,
    });
    const [entry, ...others] = searchEntries;
    if (!entry || others.length > 0) {
      // A bind that cannot succeed, so that a name without an entry costs the round trip a wrong password does.
      await userBind(
        client,
        `cn=imger-nobody-${randomBytes(8).toString('hex')},${auth.ldap_user_base}`,
        password,
      );
      return null;
    }
    if (!(await userBind(client, entry.dn, password))) return null;
    // Back to the service account's rights for the group, when there is one.
    await serviceBind(client);
    return entry;
  };

  /** `memberOf` when the server keeps it, else the group itself: groupOfNames, groupOfUniqueNames, posixGroup. */
  const isAdmin = async (client: Client, entry: Entry, name: string) => {
    const group = auth.ldap_admin_group;
    if (values(entry, 'memberOf').some((dn) => sameDn(dn, group))) return true;
    const [dn, uid] = [Filter.escape(entry.dn), Filter.escape(name)];
    const filter = `(|(member=${dn})(uniqueMember=${dn})(memberUid=${uid}))`;
    try {
      const { searchEntries } = await client.search(group, { scope: 'base', filter, attributes: ['1.1'] });
      return searchEntries.length > 0;
    } catch (error) {
      // A group that does not exist, or that this bind may not see, makes nobody admin.
      if (error instanceof ResultCodeError && error.code === 32) return false;
      throw error;
    }
  };

  const newClient = () =>
    new Client({
      url: auth.ldap_url,
      timeout: timeoutMs,
      connectTimeout: timeoutMs,
      ...(url.protocol === 'ldaps:' ? { tlsOptions: tls } : {}),
    });

  return {
    async authenticate(login, password) {
      // An empty password is an "unauthenticated bind", which many servers answer as a success.
      if (password === '' || login === '') return null;
      // A connection per login: logins are few (each costs a scrypt first) and nothing stale is reused.
      const client = newClient();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ldap_timeout (${auth.ldap_timeout} s)`)),
          timeoutMs,
        );
      });
      const work = (async () => {
        if (auth.ldap_starttls) await client.startTLS({ ...tls });
        const entry = await findAndBind(client, login, password);
        if (!entry) return null;
        const name = values(entry, auth.ldap_user_attr)[0] ?? '';
        return {
          name,
          email: auth.ldap_mail_attr === '' ? null : (values(entry, auth.ldap_mail_attr)[0] ?? null),
          admin: auth.ldap_admin_group === '' ? null : await isAdmin(client, entry, name),
        };
      })();
      try {
        return await Promise.race([work, deadline]);
      } catch (error) {
        throw new ServiceError(
          'unavailable',
          'the LDAP server cannot be used right now, so LDAP users cannot log in (local accounts can); ' +
            'the server log says why',
          undefined,
          RETRY_AFTER_SECONDS,
          error,
        );
      } finally {
        clearTimeout(timer);
        work.catch(() => {});
        // Also closes a connection still being made when the deadline passed.
        await client.unbind().catch(() => {});
      }
    },
  };
}

/** An attribute's values as text, whatever case the server spelled its name in. */
function values(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((name) => name.toLowerCase() === attribute.toLowerCase());
  const value = key === undefined ? undefined : entry[key];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((item) => item.toString());
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`[auth] ldap_ca_file: cannot read ${file}: ${(error as Error).message}`]);
  }
}

/** A filter the server would refuse stops start-up, instead of answering every LDAP login 503. */
function checkFilter(filter: string): void {
  try {
    FilterParser.parseString(userFilter(filter, 'x'));
  } catch (error) {
    throw new ConfigError([
      `[auth] ldap_user_filter: "${filter}" is not an LDAP filter: ${(error as Error).message}`,
    ]);
  }
}

/**
 * Every key of img.conf: its default (as it would be written in the file), how its text becomes a value, and
 * what it means. The `Config` type is derived from this table, and the sample img.conf is checked against it.
 */
import { isIP } from 'node:net';

export interface KeySpec<T> {
  default: string;
  /** Throws a message about the value; the loader prefixes the key's name. */
  parse: (raw: string) => T;
  doc: string;
}

function text(defaultValue: string, doc: string): KeySpec<string> {
  return { default: defaultValue, parse: (raw) => raw, doc };
}

function integer(defaultValue: number, min: number, doc: string): KeySpec<number> {
  return {
    default: String(defaultValue),
    parse: (raw) => {
      const value = Number(raw);
      if (!/^-?\d+$/.test(raw.trim()) || value < min)
        throw new Error(`expects a whole number ≥ ${min}, got "${raw}"`);
      return value;
    },
    doc,
  };
}

const yes = ['yes', 'true', 'on', '1'];
const no = ['no', 'false', 'off', '0'];

function flag(defaultValue: boolean, doc: string): KeySpec<boolean> {
  return {
    default: defaultValue ? 'yes' : 'no',
    parse: (raw) => {
      const word = raw.trim().toLowerCase();
      if (yes.includes(word)) return true;
      if (no.includes(word)) return false;
      throw new Error(`expects yes or no, got "${raw}"`);
    },
    doc,
  };
}

function oneOf<const T extends string>(values: readonly T[], defaultValue: T, doc: string): KeySpec<T> {
  return {
    default: defaultValue,
    parse: (raw) => {
      const value = raw.trim() as T;
      if (!values.includes(value)) throw new Error(`expects one of ${values.join(', ')}, got "${raw}"`);
      return value;
    },
    doc,
  };
}

/** Addresses or CIDR ranges, comma-separated: what Fastify's trustProxy takes. */
function addressList(doc: string): KeySpec<string[]> {
  return {
    default: '',
    parse: (raw) => {
      const items = raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
      for (const item of items) {
        const [address = '', bits, ...rest] = item.split('/');
        const maxBits = isIP(address) === 6 ? 128 : 32;
        const validBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits);
        if (isIP(address) === 0 || !validBits || rest.length > 0)
          throw new Error(`expects IP addresses or CIDR ranges, comma-separated, got "${item}"`);
      }
      return items;
    },
    doc,
  };
}

/** mic's options were `:`-separated in the original's worker config, so a value may hold commas. */
function colonList(defaultValue: string, doc: string): KeySpec<string[]> {
  return {
    default: defaultValue,
    parse: (raw) =>
      raw
        .split(':')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    doc,
  };
}

export interface Listen {
  host: string;
  port: number;
}

function hostPort(defaultValue: string, doc: string): KeySpec<Listen> {
  return {
    default: defaultValue,
    parse: (raw) => {
      const match = /^(.*):(\d+)$/.exec(raw.trim());
      const port = Number(match?.[2]);
      if (!match || port > 65535) throw new Error(`expects HOST:PORT, got "${raw}"`);
      return { host: match[1]?.replace(/^\[(.*)\]$/, '$1') || '0.0.0.0', port };
    },
    doc,
  };
}

function optionalHttpUrl(doc: string): KeySpec<string> {
  return {
    default: '',
    parse: (raw) => {
      const value = raw.trim();
      if (value !== '' && !/^https?:\/\/[^/]/.test(value)) {
        throw new Error(`expects empty or an http:// or https:// URL, got "${raw}"`);
      }
      return value;
    },
    doc,
  };
}

function databaseUrl(doc: string): KeySpec<string> {
  return {
    default: '',
    parse: (raw) => {
      const value = raw.trim();
      if (value !== '' && !/^postgres(ql)?:\/\//.test(value)) {
        throw new Error(`expects empty (SQLite) or a postgres:// URL, got "${raw}"`);
      }
      return value;
    },
    doc,
  };
}

/** The placeholders a login name goes into, `{user}` or the original's `%(user)s`. */
export const USER_PLACEHOLDER = /\{user\}|%\(user\)s/g;

function ldapUrl(doc: string): KeySpec<string> {
  return {
    default: '',
    parse: (raw) => {
      const value = raw.trim();
      if (value !== '' && !/^ldaps?:\/\/(\[[0-9A-Fa-f:.]+\]|[^\s/:[\]]+)(:\d{1,5})?\/?$/.test(value))
        throw new Error(`expects empty or ldap://HOST[:PORT] or ldaps://HOST[:PORT], got "${raw}"`);
      return value;
    },
    doc,
  };
}

/** A filter or DN template with the login name's placeholder in it, or empty. */
function ldapTemplate(defaultValue: string, doc: string): KeySpec<string> {
  return {
    default: defaultValue,
    parse: (raw) => {
      const value = raw.trim();
      if (value !== '' && !new RegExp(USER_PLACEHOLDER.source).test(value))
        throw new Error(`expects the login name's place, {user} (or %(user)s), in "${raw}"`);
      return value;
    },
    doc,
  };
}

function amqpSection(user: string, doc: string) {
  return {
    amqp_host: text('', `${doc} HOST:PORT; empty means none`),
    amqp_user: text(user, 'user name'),
    amqp_pwd: text('', 'password'),
    amqp_vhost: text('/', 'virtual host'),
  };
}

export const CONFIG_KEYS = {
  worker: {
    base_url: text('', 'URL where base_dir is served; empty: the API serves the files itself'),
    base_dir: text('/var/lib/imger/images', 'root of the job folders, <base_dir>/<queue>/<owner>/<id>/'),
    num_workers: integer(1, 0, 'build slots `imger serve` runs locally; 0 for a web-only node'),
    post_creation: text('', 'program run after each build with the job id, status, folder and image'),
    reuse: flag(
      true,
      'a job identical to a DONE or running one (the same build key) shares its files instead of building (native builder, no upload_url, no post_creation)',
    ),
    use_kvm: flag(
      false,
      'build each job inside a throwaway qemu virtual machine (KVM when it works, else TCG)',
    ),
    vm_image: text(
      '/usr/share/img/base.img',
      'the VM image builds run in (use_kvm), made by `imger vm-image build`',
    ),
    vm_memory: integer(2048, 512, 'MiB of memory of a build VM'),
    vm_cpus: integer(2, 1, 'virtual CPUs of a build VM'),
    vm_network: flag(true, 'user-mode networking for a build VM, to reach the package sources'),
    vm_boot_timeout: integer(
      300,
      5,
      'seconds a build VM may take to start its build before the job ends in ERROR',
    ),
    mic_opts: colonList('', 'extra mic options, `:`-separated (builder = mic)'),
    builder: oneOf(['native', 'mic'] as const, 'native', 'native (IMG’s own builder) or mic'),
    timeout: integer(3600, 1, 'seconds a build may take before it is stopped'),
    heartbeat_timeout: integer(60, 5, 'seconds without a heartbeat before a build counts as lost'),
    stop_timeout: integer(
      30,
      1,
      'seconds a stopping worker (SIGTERM, a fatal error) gives each build to clean up before killing it',
    ),
    upload_url: optionalHttpUrl(
      'web node a worker uploads its results to (PUT /api/v1/jobs/ID/files/NAME); empty: base_dir is shared',
    ),
    upload_token: text('', 'API token of an admin, sent with the uploads (upload_url set)'),
    gpg_key_dir: text(
      '',
      'folder of signing keys a kickstart may name by path (repo --gpgkey=file:…); empty: none, only URLs and keys in the request',
    ),
    sandbox_id_base: integer(
      1_000_000_000,
      65536,
      'host uid and gid of root in the build sandboxes, the first of 65536 (native builder; see the README)',
    ),
  },
  amqp: amqpSection('img', 'RabbitMQ for the job queues:'),
  boss: {
    ...amqpSection('boss', 'RabbitMQ of BOSS, for the participant `imger serve` runs:'),
    participant: text('build_image', 'the participant’s name, which is the durable queue it consumes'),
    queue: text('requests', 'the IMG queue its jobs go to (it must start builds for them to be built)'),
    user: text('boss', 'the user `imger serve`’s participant submits as; made when missing'),
    prefetch: integer(1, 1, 'workitems one participant handles at a time'),
    poll_seconds: integer(5, 1, 'how often the participant asks about the jobs it waits for'),
  },
  web: {
    listen: hostPort('127.0.0.1:8080', 'HOST:PORT the web server listens on'),
    url_prefix: text('img', 'path prefix of the original’s page URLs (/img/…)'),
    secret_key: text('', 'key for session cookies; empty: one is generated and kept in data_dir'),
    templates_dir: text('', 'folder of ready *.ks templates; empty: the bundled templates/'),
    trusted_proxies: addressList(
      'reverse proxies whose X-Forwarded-For gives the client address (IPs or CIDRs); empty: none',
    ),
    metrics: oneOf(
      ['open', 'token', 'off'] as const,
      'token',
      '/metrics for anyone (open), for an admin’s bearer token (token), or not at all (off)',
    ),
    login_failures: integer(10, 1, 'failed logins to one account before it is locked for login_lock_minutes'),
    login_failures_per_address: integer(
      30,
      1,
      'failed logins from one client address before it is locked for login_lock_minutes',
    ),
    login_lock_minutes: integer(15, 1, 'how long too many failed logins lock an account or an address'),
    password_threads: integer(
      1,
      1,
      'threads that hash passwords (each takes a core and 128 MiB while it works)',
    ),
    password_queue: integer(8, 0, 'logins that may wait for a hashing thread; more are refused with 503'),
  },
  auth: {
    ldap_url: ldapUrl('LDAP server, ldap://HOST[:PORT] or ldaps://HOST[:PORT]; empty: local accounts only'),
    ldap_starttls: flag(false, 'upgrade an ldap:// connection with StartTLS before any password is sent'),
    ldap_ca_file: text(
      '',
      'PEM file of the CAs the LDAP server’s certificate is checked against; empty: the system’s',
    ),
    ldap_verify_certificate: flag(
      true,
      'check the LDAP server’s certificate and name (no: anyone in the path can read passwords)',
    ),
    ldap_timeout: integer(5, 1, 'seconds an LDAP login may take before it is answered 503'),
    ldap_bind_dn: text('', 'DN IMG binds as to look users up; empty: anonymous'),
    ldap_bind_password: text('', 'password of ldap_bind_dn'),
    ldap_user_base: text('', 'where users are searched for (the whole subtree)'),
    ldap_user_filter: ldapTemplate('(uid={user})', 'filter that finds the one entry of a login name'),
    ldap_dn_template: ldapTemplate(
      '',
      'a user’s DN, for binding directly instead of searching; empty: search',
    ),
    ldap_user_attr: text('uid', 'attribute of the entry whose value is the IMG user name'),
    ldap_mail_attr: text('mail', 'attribute of the entry holding the e-mail address; empty: none'),
    ldap_admin_group: text('', 'DN of the group whose members are IMG admins; empty: admins are set in IMG'),
  },
  db: {
    url: databaseUrl('database: empty means SQLite in data_dir, else postgres://USER:PASS@HOST:PORT/DB'),
    data_dir: text('/var/lib/imger', 'folder of the SQLite database and the generated secret'),
  },
  notify: {
    smtp_server: text('', 'HOST:PORT of the SMTP server for DONE and ERROR mails; empty: no mail'),
    smtp_user: text('', 'SMTP user name; empty: no login'),
    smtp_pwd: text('', 'SMTP password'),
    smtp_security: oneOf(
      ['auto', 'starttls', 'tls', 'none'] as const,
      'auto',
      'auto (STARTTLS when offered), starttls (required), tls (from the start) or none',
    ),
    mail_from: text('IMG <imger@localhost>', 'the From of the mails'),
    base_url: text(
      '',
      'URL users reach IMG at, for links in mails and BOSS replies; empty: the listen address; Admin, Site overrides it',
    ),
    log_lines: integer(30, 0, 'last lines of the build log an ERROR mail quotes'),
    webhooks: text('', 'URLs, space-separated, POSTed the job as JSON on every status change'),
    webhook_secret: text('', 'key of the X-IMG-Signature HMAC-SHA256 header; empty: unsigned'),
    job_webhooks: flag(false, 'a job’s `webhook:URL` tags add URLs of its own (only for trusted users)'),
    webhook_attempts: integer(5, 1, 'tries per webhook call, with doubling pauses between them'),
  },
  retention: {
    max_age_days: integer(
      0,
      0,
      'finished, unpinned jobs older than this are deleted with their files; 0 keeps all',
    ),
  },
} as const;

type Keys = typeof CONFIG_KEYS;

export type Config = {
  readonly [S in keyof Keys]: {
    readonly [K in keyof Keys[S]]: Keys[S][K] extends KeySpec<infer T> ? T : never;
  };
};

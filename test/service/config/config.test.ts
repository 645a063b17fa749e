import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'ini';
import {
  CONFIG_KEYS,
  ConfigError,
  checkSupported,
  DEFAULT_CONFIG_FILE,
  loadConfig,
} from '../../../src/service/config/index.ts';
import { openDirectory } from '../../../src/service/users/index.ts';
import { tempDir } from '../helpers.ts';

const quiet = { env: {}, warn: () => {} };

test('without a file every key has its default', () => {
  const config = loadConfig({ ...quiet, file: undefined });
  assert.equal(DEFAULT_CONFIG_FILE, '/etc/imger/img.conf');
  assert.deepEqual(config.web.listen, { host: '127.0.0.1', port: 8080 });
  assert.equal(config.web.url_prefix, 'img');
  assert.equal(config.worker.num_workers, 1);
  assert.equal(config.worker.use_kvm, false);
  assert.equal(config.worker.builder, 'native');
  assert.deepEqual(config.worker.mic_opts, []);
  assert.equal(config.amqp.amqp_host, '');
  assert.equal(config.db.url, '');
  assert.equal(config.retention.max_age_days, 0);
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.worker));
});

test('the file, then IMG_<SECTION>_<KEY> over it', (t) => {
  const file = join(tempDir(t), 'img.conf');
  writeFileSync(file, '[worker]\nnum_workers = 3\nmic_opts = --a:--b=x,y\n[web]\nlisten = 0.0.0.0:9000\n');
  const config = loadConfig({ file, env: { IMG_WORKER_NUM_WORKERS: '0' }, warn: () => {} });
  assert.equal(config.worker.num_workers, 0);
  assert.deepEqual(config.worker.mic_opts, ['--a', '--b=x,y']);
  assert.deepEqual(config.web.listen, { host: '0.0.0.0', port: 9000 });
  assert.equal(loadConfig({ env: { IMG_CONFIG: file }, warn: () => {} }).worker.num_workers, 3);
});

test('bad values stop start-up, each naming its key', (t) => {
  const file = join(tempDir(t), 'img.conf');
  writeFileSync(file, '[worker]\nnum_workers = many\nuse_kvm = maybe\n[db]\nurl = mysql://x\n');
  assert.throws(
    () => loadConfig({ file, env: { IMG_WEB_LISTEN: 'nowhere' }, warn: () => {} }),
    (error) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 4);
      assert.match(error.message, /\[worker\] num_workers: expects a whole number/);
      assert.match(error.message, /\[worker\] use_kvm: expects yes or no/);
      assert.match(error.message, /\[db\] url: expects empty \(SQLite\) or a postgres:\/\/ URL/);
      assert.match(error.message, /IMG_WEB_LISTEN: expects HOST:PORT/);
      return true;
    },
  );
  assert.throws(() => loadConfig({ file: join(tempDir(t), 'missing.conf'), ...quiet }), ConfigError);
});

test('unknown keys and sections are warnings', (t) => {
  const file = join(tempDir(t), 'img.conf');
  writeFileSync(file, '[worker]\nnum_worker = 2\n[ldap]\nuse_ldap = no\n');
  const warnings: string[] = [];
  loadConfig({ file, env: {}, warn: (message) => warnings.push(message) });
  assert.equal(warnings.length, 2);
  assert.match(warnings[0] ?? '', /unknown key worker\.num_worker/);
  assert.match(warnings[1] ?? '', /unknown section \[ldap\]/);
});

test('use_kvm = yes is accepted with either builder (mic then runs in the VM image)', () => {
  const native = loadConfig({ env: { IMG_WORKER_USE_KVM: 'yes' }, warn: () => {} });
  assert.equal(native.worker.use_kvm, true);
  assert.equal(native.worker.vm_image, '/usr/share/img/base.img');
  checkSupported(native);
  const mic = loadConfig({ env: { IMG_WORKER_USE_KVM: 'yes', IMG_WORKER_BUILDER: 'mic' }, warn: () => {} });
  assert.equal(mic.worker.builder, 'mic');
  checkSupported(mic);
});

test('upload_url must be an http(s) URL and needs upload_token', () => {
  assert.throws(
    () => loadConfig({ env: { IMG_WORKER_UPLOAD_URL: 'ftp://web' }, warn: () => {} }),
    /IMG_WORKER_UPLOAD_URL: expects empty or an http:\/\/ or https:\/\/ URL/,
  );
  const url = { IMG_WORKER_UPLOAD_URL: 'http://web:8080/' };
  assert.throws(
    () => checkSupported(loadConfig({ env: url, warn: () => {} })),
    /upload_token: an admin’s API token is needed/,
  );
  const config = loadConfig({ env: { ...url, IMG_WORKER_UPLOAD_TOKEN: 'secret' }, warn: () => {} });
  checkSupported(config);
  assert.equal(config.worker.upload_url, 'http://web:8080/');
});

test('LDAP settings that cannot work stop start-up, each naming its key', (t) => {
  const load = (env: Record<string, string>) => loadConfig({ env, warn: () => {} });
  const ldap = { IMG_AUTH_LDAP_URL: 'ldaps://ldap.example.org' };
  assert.throws(
    () => load({ IMG_AUTH_LDAP_URL: 'ldap.example.org' }),
    /IMG_AUTH_LDAP_URL: expects empty or ldap:/,
  );
  assert.throws(
    () => load({ IMG_AUTH_LDAP_USER_FILTER: '(uid=alice)' }),
    /LDAP_USER_FILTER: expects the login name/,
  );
  const refused: [Record<string, string>, RegExp][] = [
    [ldap, /ldap_user_base, ldap_dn_template: give one/],
    [{ ...ldap, IMG_AUTH_LDAP_USER_BASE: 'dc=x', IMG_AUTH_LDAP_DN_TEMPLATE: 'uid={user},dc=x' }, /give one/],
    [
      { ...ldap, IMG_AUTH_LDAP_USER_BASE: 'dc=x', IMG_AUTH_LDAP_BIND_DN: 'cn=img,dc=x' },
      /ldap_bind_password: .*empty/,
    ],
    [{ ...ldap, IMG_AUTH_LDAP_USER_BASE: 'dc=x', IMG_AUTH_LDAP_STARTTLS: 'yes' }, /ldap_starttls: ldaps:/],
    [{ ...ldap, IMG_AUTH_LDAP_USER_BASE: 'dc=x', IMG_AUTH_LDAP_USER_ATTR: ' ' }, /ldap_user_attr/],
  ];
  for (const [env, message] of refused)
    assert.throws(() => checkSupported(load(env)), message, JSON.stringify(env));
  const original = load({ ...ldap, IMG_AUTH_LDAP_DN_TEMPLATE: 'uid=%(user)s,ou=people,dc=x' });
  checkSupported(original);

  // What only opening the directory finds: a filter the server would refuse, a CA file that cannot be read.
  const search = { ...ldap, IMG_AUTH_LDAP_USER_BASE: 'dc=x' };
  assert.throws(
    () => openDirectory(load({ ...search, IMG_AUTH_LDAP_USER_FILTER: '(uid={user}))' })),
    (error) =>
      error instanceof ConfigError && /ldap_user_filter: .* is not an LDAP filter/.test(error.message),
  );
  const missing = join(tempDir(t), 'no-such-ca.pem');
  assert.throws(
    () => openDirectory(load({ ...search, IMG_AUTH_LDAP_CA_FILE: missing })),
    /ldap_ca_file: cannot read/,
  );
  assert.equal(openDirectory(load({})), undefined, 'no ldap_url: local accounts only');
});

test('the sample img.conf documents every key with its default', () => {
  const sample = parse(readFileSync(join(import.meta.dirname, '../../../img.conf'), 'utf8'));
  for (const [section, keys] of Object.entries(CONFIG_KEYS)) {
    for (const [key, spec] of Object.entries(keys)) {
      assert.equal(String(sample[section]?.[key] ?? ''), spec.default, `[${section}] ${key}`);
    }
    assert.deepEqual(Object.keys(sample[section] ?? {}).sort(), Object.keys(keys).sort(), `[${section}]`);
  }
  const warnings: string[] = [];
  loadConfig({
    file: join(import.meta.dirname, '../../../img.conf'),
    env: {},
    warn: (m) => warnings.push(m),
  });
  assert.deepEqual(warnings, []);
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import { promisify } from 'node:util';
import { checkSupported, loadConfig } from '../../../src/service/config/index.ts';
import { ServiceError } from '../../../src/service/errors.ts';
import { openDirectory } from '../../../src/service/users/index.ts';
import { createLdapDirectory } from '../../../src/service/users/ldap-directory.ts';
import { createPasswordHasher, type PasswordHasher } from '../../../src/service/users/passwords.ts';
import { guideExample, substitute } from '../../deploy/deploy-files.ts';
import { type Harness, harness } from '../api/harness.ts';
import { databaseKinds, tempDir } from '../helpers.ts';
import { type Slapd, SUFFIX, startSlapd } from './slapd.ts';

const run = promisify(execFile);
const directoryLdif = readFileSync(join(import.meta.dirname, '../../fixtures/ldap/directory.ldif'), 'utf8');
const people = `ou=people,${SUFFIX}`;
const adminGroup = `cn=img-admins,ou=groups,${SUFFIX}`;

/** The usual setup: a service account searches the whole tree for one inetOrgPerson with that uid. */
function searchSettings(slapd: Slapd, extra: Record<string, string> = {}): Record<string, string> {
  return {
    IMG_AUTH_LDAP_URL: slapd.url,
    IMG_AUTH_LDAP_BIND_DN: `cn=img,ou=services,${SUFFIX}`,
    IMG_AUTH_LDAP_BIND_PASSWORD: 'img-service-secret',
    IMG_AUTH_LDAP_USER_BASE: SUFFIX,
    IMG_AUTH_LDAP_USER_FILTER: '(&(objectClass=inetOrgPerson)(uid={user}))',
    IMG_AUTH_LDAP_ADMIN_GROUP: adminGroup,
    ...extra,
  };
}

function login(h: Harness, username: string, password: string) {
  return h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password } });
}

async function userNamed(h: Harness, username: string) {
  const users = (await h.app.inject({ url: '/api/v1/users', headers: h.as.root })).json();
  return users.find((user: { username: string }) => user.username === username);
}

/** The names of every IMG user: the three local ones of the harness, plus those LDAP logins made. */
async function userNames(h: Harness): Promise<string[]> {
  const users = (await h.app.inject({ url: '/api/v1/users', headers: h.as.root })).json();
  return users.map((user: { username: string }) => user.username);
}

/** The operations slapd logs while `work` runs. */
async function operationsOf(slapd: Slapd, work: () => Promise<unknown>): Promise<string[]> {
  const before = slapd.operations().length;
  await work();
  return slapd.operations().slice(before);
}

const kinds = (operations: string[]) => operations.map((line) => line.split(' ')[0]);

let slapd: Slapd;
before(async () => {
  slapd = await startSlapd(directoryLdif);
});
after(() => slapd?.stop());

for (const kind of databaseKinds) {
  describe(`LDAP login on ${kind}`, () => {
    const ldapHarness = (t: TestContext, extra: Record<string, string> = {}) =>
      harness(t, kind, { env: searchSettings(slapd, extra) });

    test('the first login makes the user, admin by group, with the e-mail of the entry; later ones find it', async (t) => {
      const h = await ldapHarness(t);
      const first = await login(h, 'anna', 'anna-secret');
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual(
        { username: first.json().username, admin: first.json().admin },
        { username: 'anna', admin: true },
      );
      assert.deepEqual(await userNamed(h, 'anna'), {
        username: 'anna',
        email: 'anna@example.org',
        admin: true,
        created: (await userNamed(h, 'anna')).created,
        groups: [],
        ldap: true,
      });
      const shouting = await login(h, 'ANNA', 'anna-secret');
      assert.equal(shouting.json().username, 'anna', 'the entry names the user, not the spelling typed');
      assert.deepEqual(await userNames(h), ['alice', 'anna', 'bob', 'root']);

      const ben = await login(h, 'ben', 'ben-secret');
      assert.equal(ben.statusCode, 200);
      assert.equal(ben.json().admin, false, 'not in the admin group');
      assert.equal((await userNamed(h, 'ben')).email, null, 'his entry has no mail');
    });

    test('a wrong password, an empty one and an unknown name are 401, and make no user', async (t) => {
      const h = await ldapHarness(t);
      // The server itself takes a DN with an empty password as an anonymous ("unauthenticated") bind.
      const { stdout } = await run('ldapwhoami', [
        '-x',
        '-H',
        slapd.url,
        '-D',
        `uid=anna,${people}`,
        '-w',
        '',
      ]);
      assert.equal(stdout.trim(), 'anonymous');

      assert.equal((await login(h, 'anna', 'anna-wrong')).statusCode, 401);
      const empty = await operationsOf(slapd, async () => {
        assert.equal((await login(h, 'anna', '')).statusCode, 401);
      });
      assert.deepEqual(empty, [], 'an empty password is refused before any bind');
      assert.equal((await login(h, 'nobody-here', 'anna-secret')).statusCode, 401);
      assert.deepEqual(await userNames(h), ['alice', 'bob', 'root']);
    });

    test('an unknown name costs what a known one does: one scrypt, one search and two binds', async (t) => {
      const real = createPasswordHasher();
      t.after(() => real.close());
      const verified: string[] = [];
      const hasher: PasswordHasher = {
        hash: (password, cost) => real.hash(password, cost),
        verify(password, stored) {
          verified.push(password);
          return real.verify(password, stored);
        },
        close: async () => {},
      };
      const h = await harness(t, kind, { env: searchSettings(slapd), users: { hasher } });
      const known = await operationsOf(slapd, () => login(h, 'anna', 'wrong guess'));
      const unknown = await operationsOf(slapd, () => login(h, 'nobody-here', 'wrong guess'));
      assert.deepEqual(kinds(known), ['BIND', 'SRCH', 'BIND']);
      assert.deepEqual(kinds(unknown), kinds(known));
      assert.match(known[2] ?? '', /uid=anna,ou=people/);
      assert.deepEqual(verified, ['wrong guess', 'wrong guess'], 'each spent one scrypt');
    });

    test('without an admin group, LDAP users start plain and an admin’s promotion lasts', async (t) => {
      const h = await ldapHarness(t, { IMG_AUTH_LDAP_ADMIN_GROUP: '' });
      assert.equal((await login(h, 'anna', 'anna-secret')).json().admin, false);
      const promote = await h.app.inject({
        method: 'PATCH',
        url: '/api/v1/users/anna',
        headers: h.as.root,
        payload: { admin: true },
      });
      assert.equal(promote.statusCode, 200);
      assert.equal((await login(h, 'anna', 'anna-secret')).json().admin, true);
    });

    test('removed from the admin group in LDAP: the next login takes the rights from her sessions and tokens', async (t) => {
      const h = await ldapHarness(t);
      const first = await login(h, 'erin', 'erin-secret');
      assert.equal(first.json().admin, true);
      const cookie = String(first.headers['set-cookie']).split(';')[0] ?? '';
      const token = await h.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        payload: { username: 'erin', password: 'erin-secret' },
      });
      const bearer = { authorization: `Bearer ${token.json().token}` };
      const member = `dn: ${adminGroup}\nchangetype: modify\n%s: member\nmember: uid=erin,${people}\n`;
      await slapd.modify(member.replace('%s', 'delete'));
      t.after(() => slapd.modify(member.replace('%s', 'add')));

      const session = () => h.app.inject({ url: '/api/v1/session', headers: { cookie } });
      const listUsers = () => h.app.inject({ url: '/api/v1/users', headers: bearer });
      assert.equal((await session()).json().admin, true, 'until she logs in again, IMG does not know');
      assert.equal((await listUsers()).statusCode, 200);
      const again = await login(h, 'erin', 'erin-secret');
      assert.equal(again.json().admin, false);
      assert.equal((await session()).json().admin, false, 'her earlier session lost it too');
      assert.equal((await listUsers()).statusCode, 403, 'and her token');
    });

    test('the password of an LDAP user lives in LDAP: changing it in IMG is refused, 409', async (t) => {
      const h = await ldapHarness(t);
      const session = await login(h, 'anna', 'anna-secret');
      assert.equal(session.json().ldap, true, 'the pages are told to send her to the directory');
      const cookie = String(session.headers['set-cookie']).split(';')[0] ?? '';
      const own = await operationsOf(slapd, async () => {
        const response = await h.app.inject({
          method: 'PUT',
          url: '/api/v1/session/password',
          headers: { cookie, 'x-csrf-token': session.json().csrf_token },
          payload: { current_password: 'anna-secret', new_password: 'a new password' },
        });
        assert.equal(response.statusCode, 409);
        assert.match(response.json().message, /password of anna lives in LDAP/);
      });
      assert.deepEqual(own, [], 'refused before the current password went to LDAP');
      const reset = await h.app.inject({
        method: 'PATCH',
        url: '/api/v1/users/anna',
        headers: h.as.root,
        payload: { password: 'reset by root' },
      });
      assert.equal(reset.statusCode, 409);
      // What `imger user passwd anna` calls.
      await assert.rejects(
        h.users.update('anna', { password: 'set on the server' }),
        (error) => error instanceof ServiceError && error.code === 'conflict',
      );
      assert.equal((await login(h, 'anna', 'anna-secret')).statusCode, 200);
      assert.equal((await login(h, 'anna', 'a new password')).statusCode, 401);
    });

    test('an LDAP entry never becomes a local account: the admin stays local, whatever the spelling', async (t) => {
      const h = await ldapHarness(t);
      const local = await operationsOf(slapd, async () => {
        assert.equal((await login(h, 'root', 'root-ldap-secret')).statusCode, 401);
      });
      assert.deepEqual(local, [], 'a local name is checked in IMG only');
      const respelled = await login(h, 'ROOT', 'root-ldap-secret');
      assert.equal(respelled.statusCode, 403);
      assert.match(respelled.json().message, /root is a local IMG account/);
      assert.equal((await userNamed(h, 'root')).ldap, false);
      assert.equal((await login(h, 'root', 'root-password')).statusCode, 200);
    });

    test('a name the directory gives that cannot be a folder, or two entries for one name, log nobody in', async (t) => {
      const h = await ldapHarness(t);
      const bad = await login(h, 'bad/name', 'bad-secret');
      assert.equal(bad.statusCode, 403);
      assert.match(bad.json().message, /cannot be an IMG user name/);
      assert.equal((await login(h, 'twin', 'twin-secret')).statusCode, 401);
      assert.deepEqual(await userNames(h), ['alice', 'bob', 'root']);
    });

    test('filter syntax in a name matches only itself: no wildcard, no extra assertions', async (t) => {
      const h = await ldapHarness(t);
      // Each would find anna's entry if it reached the filter unescaped.
      const attacks = ['ann*', '*', 'anna)(uid=anna', '*)(uid=*', 'anna)(|(uid=*', 'ann\\2a', '$&'];
      const searches = await operationsOf(slapd, async () => {
        for (const name of attacks) {
          const response = await login(h, name, 'anna-secret');
          assert.equal(response.statusCode, 401, JSON.stringify(name));
        }
      });
      assert.deepEqual(await userNames(h), ['alice', 'bob', 'root']);
      const filters = searches.filter((line) => line.startsWith('SRCH'));
      assert.equal(filters.length, attacks.length);
      for (const line of filters) assert.doesNotMatch(line, /uid=ann\*|uid=\*\)/);
      const controls = await operationsOf(slapd, async () => {
        for (const name of ['anna\0', 'anna\n(uid=*)']) {
          const response = await login(h, name, 'anna-secret');
          assert.equal(response.statusCode, 400, JSON.stringify(name));
          assert.match(response.json().message, /^username: holds a line break or control character/);
        }
      });
      assert.deepEqual(controls, [], 'a control character never reaches the directory');
      assert.equal((await login(h, 'anna', 'anna-secret')).statusCode, 200, 'anna herself still logs in');
    });

    test('wrong LDAP passwords count against the account, whatever its spelling', async (t) => {
      const h = await ldapHarness(t, { IMG_WEB_LOGIN_FAILURES: '3' });
      for (const name of ['anna', 'ANNA', 'Anna'])
        assert.equal((await login(h, name, 'guess')).statusCode, 401);
      const locked = await login(h, 'anna', 'anna-secret');
      assert.equal(locked.statusCode, 429);
    });

    test('direct binds through a DN template: the name is one RDN value, it cannot reach another entry', async (t) => {
      // The original's %(user)s spelling, and no service account: the entry and the group are read as the user.
      const h = await ldapHarness(t, {
        IMG_AUTH_LDAP_USER_BASE: '',
        IMG_AUTH_LDAP_BIND_DN: '',
        IMG_AUTH_LDAP_BIND_PASSWORD: '',
        IMG_AUTH_LDAP_DN_TEMPLATE: `cn=%(user)s,${people}`,
      });
      const smith = await login(h, 'Smith, John', 'smith-secret');
      assert.equal(smith.statusCode, 200, smith.body);
      assert.deepEqual(
        { username: smith.json().username, admin: smith.json().admin },
        { username: 'jsmith', admin: false },
      );
      for (const name of ['robot,cn=robots', 'robot+cn=robots', ' robot,cn=robots ']) {
        assert.equal((await login(h, name, 'robot-secret')).statusCode, 401, JSON.stringify(name));
      }
      assert.equal((await login(h, 'Smith, John', '')).statusCode, 401);
      assert.equal((await login(h, 'Smith, John', 'wrong')).statusCode, 401);
      assert.deepEqual(await userNames(h), ['alice', 'bob', 'jsmith', 'root']);
    });

    test('the directory down: 503 with Retry-After for LDAP names, local accounts log in as before', async (t) => {
      const silent = createServer((socket) => sockets.push(socket));
      const sockets: Socket[] = [];
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      t.after(() => {
        for (const socket of sockets) socket.destroy();
        silent.close();
      });
      const free = createServer();
      await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
      const closedPort = (free.address() as { port: number }).port;
      await new Promise((resolve) => free.close(resolve));

      for (const url of [
        `ldap://127.0.0.1:${closedPort}`,
        `ldap://127.0.0.1:${(silent.address() as { port: number }).port}`,
      ]) {
        const h = await ldapHarness(t, {
          IMG_AUTH_LDAP_URL: url,
          IMG_AUTH_LDAP_TIMEOUT: '1',
          IMG_WEB_LOGIN_FAILURES: '1',
        });
        for (let attempt = 0; attempt < 2; attempt++) {
          const down = await login(h, 'anna', 'anna-secret');
          assert.equal(down.statusCode, 503, url);
          assert.equal(down.json().error, 'unavailable');
          assert.ok(Number(down.headers['retry-after']) > 0);
        }
        assert.equal((await login(h, 'root', 'root-password')).statusCode, 200, 'the local admin');
        assert.equal((await h.app.inject({ url: '/api/v1/session', headers: h.as.alice })).statusCode, 200);
      }
    });
  });
}

describe('the LDAP directory', () => {
  const directory = (extra: Record<string, string>) =>
    createLdapDirectory(loadConfig({ env: searchSettings(slapd, extra), warn: () => {} }).auth);

  test('admin by memberOf, or by the group: groupOfNames, groupOfUniqueNames, posixGroup', async () => {
    const cases = [
      // hidden-admins cannot be read: only memberOf on its members' entries tells.
      { group: `cn=hidden-admins,ou=hidden,${SUFFIX}`, admins: ['hal'], plain: ['anna', 'ben'] },
      { group: adminGroup, admins: ['anna'], plain: ['ben', 'hal'] },
      { group: `cn=unique-admins,ou=groups,${SUFFIX}`, admins: ['dave'], plain: ['anna'] },
      { group: `cn=posix-admins,ou=groups,${SUFFIX}`, admins: ['carol'], plain: ['dave'] },
      { group: `cn=no-such-group,ou=groups,${SUFFIX}`, admins: [], plain: ['anna'] },
    ];
    for (const { group, admins, plain } of cases) {
      const ldap = directory({ IMG_AUTH_LDAP_ADMIN_GROUP: group });
      for (const name of [...admins, ...plain]) {
        const account = await ldap.authenticate(name, `${name}-secret`);
        assert.equal(account?.admin, admins.includes(name), `${name} in ${group}`);
      }
    }
  });

  test('a wrong service password or an unreadable entry is the directory’s problem: 503, never a wrong login', async () => {
    const unavailable = (error: unknown) => error instanceof ServiceError && error.code === 'unavailable';
    await assert.rejects(
      directory({ IMG_AUTH_LDAP_BIND_PASSWORD: 'wrong' }).authenticate('anna', 'anna-secret'),
      unavailable,
    );
    const hidden = directory({
      IMG_AUTH_LDAP_USER_BASE: '',
      IMG_AUTH_LDAP_DN_TEMPLATE: `uid={user},ou=hidden,${SUFFIX}`,
    });
    assert.equal(await hidden.authenticate('ghost', 'wrong'), null);
    await assert.rejects(
      hidden.authenticate('ghost', 'ghost-secret'),
      unavailable,
      'bound, but its entry is unreadable',
    );
  });

  test('the guide’s examples: OpenLDAP’s logs in against slapd, Active Directory’s is valid', async (t) => {
    const dir = tempDir(t);
    const write = (name: string, text: string) => {
      const file = join(dir, name);
      writeFileSync(file, text);
      const config = loadConfig({ file, env: {}, warn: (message) => assert.fail(message) });
      checkSupported(config);
      return openDirectory(config);
    };
    const openldap = substitute(
      guideExample('ldap-openldap'),
      {
        'ldap://ldap.example.org': slapd.url,
        '/etc/imger/ldap-ca.pem': slapd.caFile,
        'SERVICE-PASSWORD': 'img-service-secret',
      },
      'the OpenLDAP example',
    );
    const ldap = write('openldap.conf', openldap);
    assert.deepEqual(await ldap?.authenticate('anna', 'anna-secret'), {
      name: 'anna',
      email: 'anna@example.org',
      admin: true,
    });
    assert.equal((await ldap?.authenticate('ben', 'ben-secret'))?.admin, false);
    const activeDirectory = substitute(
      guideExample('ldap-active-directory'),
      { '/etc/imger/corp-ca.pem': slapd.caFile },
      'the Active Directory example',
    );
    assert.ok(write('ad.conf', activeDirectory));
  });

  test('over TLS, a login goes through only when the certificate is signed by the CA and names the server', async () => {
    const { ldapsUrl, unnamedUrl, caFile, otherCaFile } = slapd;
    const cases: { what: string; env: Record<string, string>; works: boolean }[] = [
      {
        what: 'ldaps, its CA',
        env: { IMG_AUTH_LDAP_URL: ldapsUrl, IMG_AUTH_LDAP_CA_FILE: caFile },
        works: true,
      },
      {
        what: 'StartTLS, its CA',
        env: { IMG_AUTH_LDAP_STARTTLS: 'yes', IMG_AUTH_LDAP_CA_FILE: caFile },
        works: true,
      },
      {
        what: 'ldaps, another CA',
        env: { IMG_AUTH_LDAP_URL: ldapsUrl, IMG_AUTH_LDAP_CA_FILE: otherCaFile },
        works: false,
      },
      {
        what: 'StartTLS, another CA',
        env: { IMG_AUTH_LDAP_STARTTLS: 'yes', IMG_AUTH_LDAP_CA_FILE: otherCaFile },
        works: false,
      },
      { what: 'ldaps, the system CAs', env: { IMG_AUTH_LDAP_URL: ldapsUrl }, works: false },
      {
        what: 'StartTLS to an address the certificate does not name',
        env: { IMG_AUTH_LDAP_URL: unnamedUrl, IMG_AUTH_LDAP_STARTTLS: 'yes', IMG_AUTH_LDAP_CA_FILE: caFile },
        works: false,
      },
      {
        what: 'ldaps, another CA, not verified (insecure, as configured)',
        env: {
          IMG_AUTH_LDAP_URL: ldapsUrl,
          IMG_AUTH_LDAP_CA_FILE: otherCaFile,
          IMG_AUTH_LDAP_VERIFY_CERTIFICATE: 'no',
        },
        works: true,
      },
    ];
    for (const { what, env, works } of cases) {
      const login = directory(env).authenticate('anna', 'anna-secret');
      if (works) assert.equal((await login)?.name, 'anna', what);
      else
        await assert.rejects(
          login,
          (error) => error instanceof ServiceError && error.code === 'unavailable',
          what,
        );
    }
  });
});

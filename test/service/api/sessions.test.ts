import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { databaseKinds } from '../helpers.ts';
import { type Harness, harness } from './harness.ts';

/** A browser's login: the cookie as the browser would send it back, and the CSRF token for writes. */
async function browserLogin(h: Harness, username: string, password = `${username}-password`) {
  const response = await h.app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { username, password },
  });
  assert.equal(response.statusCode, 200, response.body);
  const cookie = String(response.headers['set-cookie']).split(';')[0] ?? '';
  return { cookie, csrf: response.json().csrf_token as string };
}

type Login = Awaited<ReturnType<typeof browserLogin>>;

const whoAmI = (h: Harness, headers: Record<string, string>) =>
  h.app.inject({ url: '/api/v1/session', headers }).then((response) => response.statusCode);
const asBrowser = ({ cookie, csrf }: Login) => ({ cookie, 'x-csrf-token': csrf });

for (const kind of databaseKinds) {
  describe(`sessions and tokens on ${kind}`, () => {
    test('logging out ends the session on the server: a saved copy of the cookie no longer works', async (t) => {
      const h = await harness(t, kind);
      const saved = await browserLogin(h, 'alice');
      const other = await browserLogin(h, 'alice');
      assert.equal(await whoAmI(h, { cookie: saved.cookie }), 200);
      const out = await h.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: asBrowser(saved) });
      assert.equal(out.statusCode, 204);
      assert.equal(await whoAmI(h, { cookie: saved.cookie }), 401);
      const write = await h.app.inject({
        method: 'PATCH',
        url: '/api/v1/jobs/01NOJOB',
        headers: asBrowser(saved),
        payload: { pinned: true },
      });
      assert.equal(write.statusCode, 401, 'nor for writes with its CSRF token');
      assert.equal(await whoAmI(h, { cookie: other.cookie }), 200, "alice's other session stays");
    });

    test('a user name with a control character is a 400 naming the field, never looked up', async (t) => {
      const h = await harness(t, kind);
      for (const url of ['/api/v1/session', '/api/v1/tokens']) {
        for (const username of ['alice\0', 'alice\r\nX-Injected: 1']) {
          const response = await h.app.inject({
            method: 'POST',
            url,
            payload: { username, password: 'alice-password' },
          });
          assert.equal(response.statusCode, 400, `${url} ${JSON.stringify(username)}`);
          assert.match(response.json().message, /^username: holds a line break or control character/);
        }
      }
    });

    test('a new login replaces the session it was made from', async (t) => {
      const h = await harness(t, kind);
      const first = await browserLogin(h, 'alice');
      const again = await h.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        headers: { cookie: first.cookie },
        payload: { username: 'bob', password: 'bob-password' },
      });
      assert.equal(again.json().username, 'bob');
      assert.equal(await whoAmI(h, { cookie: first.cookie }), 401);
    });

    test("changing one's password ends the other sessions; revoke_tokens revokes the tokens", async (t) => {
      const h = await harness(t, kind);
      const here = await browserLogin(h, 'alice');
      const elsewhere = await browserLogin(h, 'alice');
      const bob = await browserLogin(h, 'bob');
      const change = await h.app.inject({
        method: 'PUT',
        url: '/api/v1/session/password',
        headers: asBrowser(here),
        payload: { current_password: 'alice-password', new_password: 'alice-new-password' },
      });
      assert.equal(change.statusCode, 204, change.body);
      assert.equal(await whoAmI(h, { cookie: here.cookie }), 200, 'the session it was made from stays');
      assert.equal(await whoAmI(h, { cookie: elsewhere.cookie }), 401);
      assert.equal(await whoAmI(h, h.as.alice), 200, 'tokens stay unless revoked');
      assert.equal(await whoAmI(h, { cookie: bob.cookie }), 200, "bob's session is not touched");
      assert.equal((await browserLogin(h, 'alice', 'alice-new-password')).cookie !== '', true);
      const old = await h.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { username: 'alice', password: 'alice-password' },
      });
      assert.equal(old.statusCode, 401);

      const revoking = await h.app.inject({
        method: 'PUT',
        url: '/api/v1/session/password',
        headers: h.as.alice,
        payload: {
          current_password: 'alice-new-password',
          new_password: 'alice-third-password',
          revoke_tokens: true,
        },
      });
      assert.equal(revoking.statusCode, 204);
      assert.equal(await whoAmI(h, h.as.alice), 401, 'the token it was sent with is revoked too');
      assert.equal(await whoAmI(h, { cookie: here.cookie }), 401, 'a change by token keeps no session');
      assert.equal(await whoAmI(h, h.as.bob), 200);
    });

    test("an admin's password reset ends the user's sessions, and can revoke their tokens", async (t) => {
      const h = await harness(t, kind);
      const alice = await browserLogin(h, 'alice');
      const reset = (payload: object) =>
        h.app.inject({ method: 'PATCH', url: '/api/v1/users/alice', headers: h.as.root, payload });
      assert.equal((await reset({ password: 'reset-by-root' })).statusCode, 200);
      assert.equal(await whoAmI(h, { cookie: alice.cookie }), 401);
      assert.equal(await whoAmI(h, h.as.alice), 200);
      assert.equal((await reset({ password: 'reset-again', revoke_tokens: true })).statusCode, 200);
      assert.equal(await whoAmI(h, h.as.alice), 401);
      assert.equal(await whoAmI(h, h.as.root), 200);
      const email = await reset({ email: 'alice@example.org' });
      assert.equal(email.json().email, 'alice@example.org');
    });

    test('tokens have a name and an expiry; an expired token is refused and listed as expired', async (t) => {
      let clock = Date.parse('2030-01-01T00:00:00.000Z');
      const h = await harness(t, kind, { users: { now: () => new Date(clock) } });
      const make = (extra: object) =>
        h.app.inject({
          method: 'POST',
          url: '/api/v1/tokens',
          payload: { username: 'bob', password: 'bob-password', ...extra },
        });
      const until = await make({ name: 'nightly CI', expires: '2030-01-03T00:00:00Z' });
      assert.equal(until.statusCode, 201, until.body);
      assert.equal(until.json().name, 'nightly CI');
      assert.equal(until.json().expires, '2030-01-03T00:00:00.000Z');
      const session = await browserLogin(h, 'bob');
      const listed = (
        await h.app.inject({ url: '/api/v1/tokens', headers: { cookie: session.cookie } })
      ).json();
      const entry = listed.find((token: { id: string }) => token.id === until.json().id);
      assert.deepEqual(
        { name: entry.name, expires: entry.expires, expired: entry.expired },
        { name: 'nightly CI', expires: '2030-01-03T00:00:00.000Z', expired: false },
      );
      const headers = { authorization: `Bearer ${until.json().token}` };
      assert.equal(await whoAmI(h, headers), 200);
      clock = Date.parse('2030-01-03T00:00:00.000Z');
      const refused = await h.app.inject({ url: '/api/v1/session', headers });
      assert.equal(refused.statusCode, 401);
      assert.match(refused.json().message, /expired/);
      const later = (await h.app.inject({ url: '/api/v1/tokens', headers: h.as.bob })).json();
      assert.equal(later.find((token: { id: string }) => token.id === until.json().id).expired, true);
      const fresh = await browserLogin(h, 'bob');
      clock += 24 * 60 * 60 * 1000 - 1;
      assert.equal(await whoAmI(h, { cookie: fresh.cookie }), 200, 'a session lasts a day');
      clock += 1;
      assert.equal(await whoAmI(h, { cookie: fresh.cookie }), 401, 'and not longer');

      const renewed = await h.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers,
        payload: { username: 'bob', password: 'bob-password' },
      });
      assert.equal(renewed.statusCode, 201, 'a script sending its expired token can still log in again');

      const inDays = await make({ expires_in_days: 30 });
      assert.equal(inDays.statusCode, 201);
      assert.ok(Date.parse(inDays.json().expires) > clock);
    });

    test('a token request with a bad name or expiry is refused, naming the field, and makes no token', async (t) => {
      const h = await harness(t, kind);
      const before = (await h.app.inject({ url: '/api/v1/tokens', headers: h.as.bob })).json().length;
      const cases: [object, RegExp][] = [
        [{ name: 'ci\r\nX-Injected: yes' }, /^name: /],
        [{ name: '' }, /^name: /],
        [{ expires: 'tomorrow' }, /^expires: /],
        [{ expires: '2001-01-01' }, /^expires: /],
        [{ expires: '2099-01-01', expires_in_days: 3 }, /expires_in_days or expires/],
        [{ expires_in_days: 0 }, /expires_in_days/],
      ];
      for (const [extra, message] of cases) {
        const response = await h.app.inject({
          method: 'POST',
          url: '/api/v1/tokens',
          payload: { username: 'bob', password: 'bob-password', ...extra },
        });
        assert.equal(response.statusCode, 400, JSON.stringify(extra));
        assert.match(response.json().message, message);
      }
      assert.equal((await h.app.inject({ url: '/api/v1/tokens', headers: h.as.bob })).json().length, before);
    });

    test('admins are told which accounts keep the first-start password, until it is changed', async (t) => {
      const h = await harness(t, kind);
      // As a database from before the flag holds it: the start-up check of the hash finds the default password.
      await h.users.add({ username: 'imager', password: 'imager', admin: true });
      assert.deepEqual(await h.users.ensureDefaultAdmin(), { created: false, defaultPassword: true });
      const session = async (headers: Record<string, string>) =>
        (await h.app.inject({ url: '/api/v1/session', headers })).json();
      assert.deepEqual((await session(h.as.root)).default_password_accounts, ['imager']);
      assert.deepEqual((await session(h.as.alice)).default_password_accounts, [], 'not told to non-admins');
      assert.equal((await session(h.as.alice)).ldap, false);
      const imager = await browserLogin(h, 'imager', 'imager');
      assert.deepEqual(
        (await h.app.inject({ url: '/api/v1/session', headers: { cookie: imager.cookie } })).json()
          .default_password_accounts,
        ['imager'],
      );
      const changed = await h.app.inject({
        method: 'PUT',
        url: '/api/v1/session/password',
        headers: asBrowser(imager),
        payload: { current_password: 'imager', new_password: 'a-better-one' },
      });
      assert.equal(changed.statusCode, 204, changed.body);
      assert.deepEqual((await session(h.as.root)).default_password_accounts, []);
      assert.deepEqual(await h.users.ensureDefaultAdmin(), { created: false, defaultPassword: false });
      assert.deepEqual((await session(h.as.root)).default_password_accounts, []);
    });
  });
}

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { databaseKinds } from '../helpers.ts';
import { type Harness, harness } from './harness.ts';

const limits = {
  IMG_WEB_LOGIN_FAILURES: '3',
  IMG_WEB_LOGIN_FAILURES_PER_ADDRESS: '5',
  IMG_WEB_LOGIN_LOCK_MINUTES: '10',
};

/** A password check through one of the routes that make one, from the address `ip` (inject's remoteAddress). */
function login(h: Harness, username: string, password: string, ip = '192.0.2.1', url = '/api/v1/session') {
  return h.app.inject({ method: 'POST', url, remoteAddress: ip, payload: { username, password } });
}

/** A failed login relayed by the proxy 10.0.0.1 for `client`, by default under a name of the client's own. */
function fromProxy(h: Harness, client: string, username = `user-${client}`) {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/session',
    remoteAddress: '10.0.0.1',
    headers: { 'x-forwarded-for': client },
    payload: { username, password: 'guess' },
  });
}

for (const kind of databaseKinds) {
  describe(`login limits on ${kind}`, () => {
    test('an account is locked after its failures, the right password included, with Retry-After', async (t) => {
      const h = await harness(t, kind, { env: limits });
      for (let attempt = 0; attempt < 3; attempt++) {
        // From different addresses, so only the account's own limit is reached.
        assert.equal((await login(h, 'alice', 'guess', `192.0.2.${10 + attempt}`)).statusCode, 401);
      }
      const locked = await login(h, 'alice', 'alice-password', '192.0.2.20');
      assert.equal(locked.statusCode, 429);
      assert.equal(locked.json().error, 'too-many-requests');
      assert.match(locked.json().message, /this account/);
      const retryAfter = Number(locked.headers['retry-after']);
      assert.ok(retryAfter > 0 && retryAfter <= 600, `Retry-After ${locked.headers['retry-after']}`);
      assert.equal(
        (await login(h, 'alice', 'alice-password', '192.0.2.21', '/api/v1/tokens')).statusCode,
        429,
        'POST /tokens checks a password too',
      );

      // Nothing else was harmed: bob logs in from the same addresses, alice's token still works.
      assert.equal((await login(h, 'bob', 'bob-password', '192.0.2.10')).statusCode, 200);
      assert.equal((await h.app.inject({ url: '/api/v1/session', headers: h.as.alice })).statusCode, 200);
    });

    test("an account's failures count whatever the case of its name (a directory finds ALICE as alice)", async (t) => {
      const h = await harness(t, kind, { env: limits });
      for (const [attempt, name] of ['alice', 'ALICE', 'Alice'].entries()) {
        assert.equal((await login(h, name, 'guess', `192.0.2.${30 + attempt}`)).statusCode, 401);
      }
      assert.equal((await login(h, 'alice', 'alice-password', '192.0.2.40')).statusCode, 429);
    });

    test('an address is locked after its failures, whichever names it tried', async (t) => {
      const h = await harness(t, kind, { env: limits });
      for (const name of ['alice', 'bob', 'root', 'nobody', 'someone']) {
        assert.equal((await login(h, name, 'guess', '198.51.100.7')).statusCode, 401);
      }
      const locked = await login(h, 'bob', 'bob-password', '198.51.100.7', '/api/v1/tokens');
      assert.equal(locked.statusCode, 429);
      assert.match(locked.json().message, /your address/);
      assert.ok(Number(locked.headers['retry-after']) > 0);
      assert.equal((await login(h, 'bob', 'bob-password', '198.51.100.8')).statusCode, 200);
    });

    test('successful logins are not counted', async (t) => {
      const h = await harness(t, kind, { env: limits });
      for (let attempt = 0; attempt < 8; attempt++) {
        assert.equal((await login(h, 'alice', 'alice-password')).statusCode, 200);
      }
    });

    test('a wrong current password in a password change counts as a failed login', async (t) => {
      const h = await harness(t, kind, { env: limits });
      const change = (current: string) =>
        h.app.inject({
          method: 'PUT',
          url: '/api/v1/session/password',
          headers: h.as.alice,
          remoteAddress: '203.0.113.5',
          payload: { current_password: current, new_password: 'a new password' },
        });
      for (let attempt = 0; attempt < 3; attempt++) assert.equal((await change('guess')).statusCode, 401);
      assert.equal((await change('alice-password')).statusCode, 429);
      assert.equal((await login(h, 'alice', 'alice-password', '203.0.113.6')).statusCode, 429);
    });

    test('behind a trusted proxy, X-Forwarded-For names the client: the proxy itself is never locked', async (t) => {
      const h = await harness(t, kind, { env: { ...limits, IMG_WEB_TRUSTED_PROXIES: '10.0.0.0/8' } });
      for (let client = 1; client <= 7; client++) {
        assert.equal((await fromProxy(h, `192.0.2.${client}`)).statusCode, 401);
      }
      for (let attempt = 0; attempt < 5; attempt++) await fromProxy(h, '192.0.2.50', `name-${attempt}`);
      const locked = await fromProxy(h, '192.0.2.50', 'name-5');
      assert.equal(locked.statusCode, 429, 'one client behind it is');
      assert.match(locked.json().message, /your address/);
    });

    test('without a trusted proxy a forged X-Forwarded-For changes nothing: the connection is counted', async (t) => {
      const h = await harness(t, kind, { env: limits });
      for (let client = 1; client <= 5; client++) {
        assert.equal((await fromProxy(h, `192.0.2.${client}`)).statusCode, 401);
      }
      assert.equal((await fromProxy(h, '192.0.2.99')).statusCode, 429);
    });
  });
}

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ServiceError } from '../../../src/service/errors.ts';
import { createUserService, DEFAULT_ADMIN } from '../../../src/service/users/index.ts';
import { createPasswordHasher, type PasswordHasher } from '../../../src/service/users/passwords.ts';
import { databaseKinds, testDatabase } from '../helpers.ts';

test('passwords are salted scrypt hashes that verify only the right password', async (t) => {
  const hasher = createPasswordHasher();
  t.after(() => hasher.close());
  const hash = await hasher.hash('correct horse', 2 ** 10);
  assert.match(hash, /^scrypt\$1024\$8\$1\$/);
  assert.notEqual(hash, await hasher.hash('correct horse', 2 ** 10));
  assert.equal(await hasher.verify('correct horse', hash), true);
  assert.equal(await hasher.verify('correct horsE', hash), false);
  assert.equal(await hasher.verify('x', 'plain'), false);
  assert.equal(
    await hasher.verify('x', `scrypt$${2 ** 40}$8$1$AAAA$AAAA`),
    false,
    'a cost beyond 1 GiB is refused',
  );
});

for (const kind of databaseKinds) {
  describe(`users on ${kind}`, () => {
    test('the default admin is made once, and flagged while its password is the default', async (t) => {
      const { db } = await testDatabase(t, kind);
      const users = createUserService(db, { scryptCost: 2 ** 10 });
      t.after(() => users.close());
      assert.deepEqual(await users.ensureDefaultAdmin(), { created: true, defaultPassword: true });
      assert.deepEqual(await users.authenticate(DEFAULT_ADMIN.username, DEFAULT_ADMIN.password), {
        username: 'imager',
        admin: true,
      });
      assert.deepEqual(await users.ensureDefaultAdmin(), { created: false, defaultPassword: true });
      await users.update('imager', { password: 'something else' });
      assert.deepEqual(await users.ensureDefaultAdmin(), { created: false, defaultPassword: false });
    });

    test('names must be safe in a path; passwords need six characters; tokens are stored hashed', async (t) => {
      const { db } = await testDatabase(t, kind);
      const users = createUserService(db, { scryptCost: 2 ** 10 });
      t.after(() => users.close());
      const refused = (error: unknown) => error instanceof ServiceError && error.code === 'bad-request';
      await assert.rejects(users.add({ username: '../x', password: 'long enough' }), refused);
      await assert.rejects(users.add({ username: 'dave', password: 'short' }), refused);
      await users.add({ username: 'dave', password: 'long enough' });
      const { token } = await users.createToken('dave');
      const stored = await db.selectFrom('api_tokens').select('token_hash').execute();
      assert.ok(stored.every((row) => row.token_hash !== token && !row.token_hash.includes(token)));
      assert.deepEqual(await users.actorForToken(token), { username: 'dave', admin: false });
      await users.remove('dave');
      assert.equal(await users.actorForToken(token), null);
      assert.equal(await users.authenticate('dave', 'long enough'), null);
    });

    test("a token's last use is recorded to the minute, not written on every call", async (t) => {
      const { db } = await testDatabase(t, kind);
      let clock = Date.parse('2026-01-01T00:00:00.000Z');
      const users = createUserService(db, { scryptCost: 2 ** 10, now: () => new Date(clock) });
      t.after(() => users.close());
      await users.add({ username: 'erin', password: 'long enough' });
      const { token } = await users.createToken('erin');
      const lastUsed = async () => (await users.listTokens('erin'))[0]?.lastUsed;
      assert.equal(await lastUsed(), null);
      await users.actorForToken(token);
      assert.equal(await lastUsed(), '2026-01-01T00:00:00.000Z');
      clock += 59_000;
      await users.actorForToken(token);
      assert.equal(await lastUsed(), '2026-01-01T00:00:00.000Z');
      clock += 1_000;
      await users.actorForToken(token);
      assert.equal(await lastUsed(), '2026-01-01T00:01:00.000Z');
    });
  });
}

describe('users on sqlite', () => {
  test('an unknown name costs the same scrypt as a known one, so time does not tell names apart', async (t) => {
    const { db } = await testDatabase(t, 'sqlite');
    const real = createPasswordHasher();
    t.after(() => real.close());
    const checked: string[] = [];
    const hasher: PasswordHasher = {
      hash: (password, cost) => real.hash(password, cost),
      verify(password, stored) {
        checked.push(stored.split('$').slice(0, 4).join('$'));
        return real.verify(password, stored);
      },
      close: async () => {},
    };
    const users = createUserService(db, { scryptCost: 2 ** 11, hasher });
    await users.add({ username: 'frank', password: 'long enough' });
    assert.equal(await users.authenticate('frank', 'wrong guess'), null);
    assert.equal(await users.authenticate('no-such-user', 'wrong guess'), null);
    assert.equal(await users.authenticate('no-such-user', 'long enough'), null);
    assert.deepEqual(checked, ['scrypt$2048$8$1', 'scrypt$2048$8$1', 'scrypt$2048$8$1']);
  });

  test('e-mail addresses are one address, without line breaks or lists', async (t) => {
    const { db } = await testDatabase(t, 'sqlite');
    const users = createUserService(db, { scryptCost: 2 ** 10 });
    t.after(() => users.close());
    const refused = (error: unknown) =>
      error instanceof ServiceError && error.code === 'bad-request' && error.message.startsWith('email: ');
    for (const email of [
      'a@example.org\r\nBcc: all@example.org',
      'a@example.org, b@example.org',
      'A <a@x.org>',
    ]) {
      await assert.rejects(users.add({ username: 'gina', password: 'long enough', email }), refused, email);
    }
    assert.equal(await users.get('gina'), null);
    await users.add({ username: 'gina', password: 'long enough', email: 'gina+img@example.org' });
    await assert.rejects(users.update('gina', { email: 'x@y.org\nCc: z@y.org' }), refused);
    assert.equal((await users.get('gina'))?.email, 'gina+img@example.org');
  });
});

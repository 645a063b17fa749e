import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveConnection, storedLoginPath, storeLogin } from '../../src/client/stored-login.ts';
import { tempDir } from '../service/helpers.ts';

test('the login is kept 0600 under the config folder; --server, IMG_SERVER and IMG_TOKEN override it', async (t) => {
  const env = { XDG_CONFIG_HOME: tempDir(t) };
  assert.equal(storedLoginPath(env), join(env.XDG_CONFIG_HOME, 'imger', 'login.json'));
  assert.equal(await resolveConnection({}, env), null);

  await storeLogin({ server: 'http://img.example:8080/', username: 'alice', token: 'stored' }, env);
  assert.equal(statSync(storedLoginPath(env)).mode & 0o777, 0o600);
  assert.deepEqual(await resolveConnection({}, env), { server: 'http://img.example:8080/', token: 'stored' });
  assert.deepEqual(await resolveConnection({ server: 'http://img.example:8080' }, env), {
    server: 'http://img.example:8080',
    token: 'stored',
  });
  // The stored token belongs to its server: it is never sent to another one.
  assert.deepEqual(await resolveConnection({}, { ...env, IMG_SERVER: 'http://other/' }), {
    server: 'http://other/',
    token: undefined,
  });
  assert.deepEqual(
    await resolveConnection(
      { server: 'http://third/' },
      { ...env, IMG_SERVER: 'http://other/', IMG_TOKEN: 'env' },
    ),
    {
      server: 'http://third/',
      token: 'env',
    },
  );
});

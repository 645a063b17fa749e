import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/service/config/index.ts';
import { openService } from '../../src/service/open.ts';

const imger = join(import.meta.dirname, '../../bin/imger.js');
const dir = mkdtempSync(join(tmpdir(), 'imger-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// The caller's own IMG_* settings must not leak into these runs.
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('IMG_'))),
  IMG_DB_DATA_DIR: dir,
  IMG_WORKER_BASE_DIR: join(dir, 'images'),
};

function run(args: string[], input = '') {
  const result = spawnSync(process.execPath, [imger, ...args], { encoding: 'utf8', input, env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function authenticate(username: string, password: string) {
  const service = await openService(loadConfig({ env, warn: () => {} }));
  try {
    return await service.users.authenticate(username, password);
  } finally {
    await service.close();
  }
}

describe('imger user', () => {
  it('adds, changes the password of, and deletes a user', async () => {
    assert.equal(run(['user', 'add', '--admin', 'erin'], 'first-password\n').code, 0);
    assert.deepEqual(await authenticate('erin', 'first-password'), { username: 'erin', admin: true });
    assert.equal(run(['user', 'passwd', 'erin'], 'second-password\n').code, 0);
    assert.equal(await authenticate('erin', 'first-password'), null);
    assert.ok(await authenticate('erin', 'second-password'));
    const again = run(['user', 'add', 'erin'], 'whatever-password\n');
    assert.equal(again.code, 3);
    assert.match(again.stderr, /user erin already exists/);
    assert.equal(run(['user', 'del', 'erin']).code, 0);
    assert.equal(await authenticate('erin', 'second-password'), null);
    assert.match(run(['user', 'del', 'erin']).stderr, /no user erin/);
  });

  it('passwd ends the user’s sessions, and with --revoke-tokens their tokens', async () => {
    assert.equal(run(['user', 'add', 'fred'], 'fred-password\n').code, 0);
    const service = await openService(loadConfig({ env, warn: () => {} }));
    try {
      const { users } = service;
      const session = await users.startSession('fred');
      const { token } = await users.createToken('fred');
      const kept = run(['user', 'passwd', 'fred'], 'fred-password-2\n');
      assert.equal(kept.code, 0, kept.stderr);
      assert.equal(kept.stdout, 'password of fred changed; their sessions ended\n');
      assert.equal(await users.actorForSession(session.id), null);
      assert.ok(await users.actorForToken(token));
      const revoked = run(['user', 'passwd', '--revoke-tokens', 'fred'], 'fred-password-3\n');
      assert.equal(revoked.stdout, 'password of fred changed; their sessions ended, their tokens revoked\n');
      assert.equal(await users.actorForToken(token), null);
      assert.ok(await users.authenticate('fred', 'fred-password-3'));
    } finally {
      await service.close();
    }
  });

  it('a bad configuration value stops it with the key named, exit 2', () => {
    const file = join(dir, 'bad.conf');
    writeFileSync(file, '[worker]\nnum_workers = lots\n');
    const result = run(['user', 'del', 'x', '--config', file]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /\[worker\] num_workers: expects a whole number/);
  });

  it('serve refuses settings that cannot work together with a message saying so', () => {
    const result = spawnSync(process.execPath, [imger, 'serve'], {
      encoding: 'utf8',
      env: { ...env, IMG_WORKER_UPLOAD_URL: 'http://127.0.0.1:9/' },
    });
    assert.equal(result.status, 2);
    assert.match(
      result.stderr,
      /upload_token: an admin’s API token is needed to upload to \[worker\] upload_url/,
    );
  });
});

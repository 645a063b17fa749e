import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { localJobFolder as jobFolder } from '../../../src/service/jobs/artifact-store.ts';
import { alice, submission } from '../jobs/fixtures.ts';
import { harness } from './harness.ts';

test('a flood of wrong logins is bounded: the excess is refused at once, a download meanwhile completes', async (t) => {
  const h = await harness(t, 'sqlite', {
    // A real cost (32 MiB, a sixth of a second a hash here), one hashing thread and two waiting places.
    users: { scryptCost: 2 ** 15, hashing: { threads: 1, queue: 2 } },
    env: { IMG_WEB_LOGIN_FAILURES: '1000', IMG_WEB_LOGIN_FAILURES_PER_ADDRESS: '1000' },
  });
  const job = await h.jobs.submit(submission({ name: 'big' }), alice);
  const folder = jobFolder(h.baseDir, job);
  mkdirSync(folder, { recursive: true });
  // 8 MiB of log text, as base64 so it is text.
  const log = Buffer.from(randomBytes(6 * 1024 * 1024).toString('base64'));
  writeFileSync(join(folder, 'big.log'), log);
  const address = await h.app.listen({ host: '127.0.0.1', port: 0 });

  const logins = Array.from({ length: 24 }, (_, index) =>
    fetch(`${address}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: index % 2 === 0 ? 'alice' : `nobody-${index}`, password: 'guess' }),
    }).then(async (response) => ({
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      error: ((await response.json()) as { error: string }).error,
    })),
  );
  const download = fetch(`${address}/api/v1/jobs/${job.id}/log`, { headers: h.as.bob }).then(
    async (response) => Buffer.from(await response.arrayBuffer()),
  );

  const answers = await Promise.all(logins);
  const body = await download;
  assert.equal(body.length, log.length);
  assert.equal(
    createHash('sha256').update(body).digest('hex'),
    createHash('sha256').update(log).digest('hex'),
  );
  const refused = answers.filter((answer) => answer.status === 503);
  const checked = answers.filter((answer) => answer.status === 401);
  assert.equal(refused.length + checked.length, answers.length, JSON.stringify(answers));
  assert.ok(refused.length > 0, 'logins beyond the bound were refused, not queued');
  assert.ok(checked.length > 0, 'those within it were checked');
  for (const answer of refused) assert.deepEqual([answer.error, answer.retryAfter], ['busy', '1']);

  // Once the flood has passed, the right password works again.
  const login = await fetch(`${address}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bob', password: 'bob-password' }),
  });
  assert.equal(login.status, 200);
});

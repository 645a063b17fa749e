import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { localJobFolder as jobFolder } from '../../../src/service/jobs/artifact-store.ts';
import { databaseKinds } from '../helpers.ts';
import { alice, submission } from '../jobs/fixtures.ts';
import { harness } from './harness.ts';

for (const kind of databaseKinds) {
  describe(`response headers on ${kind}`, () => {
    test('the API docs have a CSP without inline scripts, and may not be framed', async (t) => {
      const { app } = await harness(t, kind);
      for (const url of ['/api/docs/', '/api/docs/static/swagger-initializer.js']) {
        const response = await app.inject({ url });
        assert.equal(response.statusCode, 200, url);
        const policy = String(response.headers['content-security-policy']);
        assert.match(policy, /frame-ancestors 'none'/, url);
        assert.match(policy, /script-src 'self'(;|$)/, url);
        assert.equal(response.headers['x-frame-options'], 'DENY');
        assert.equal(response.headers['x-content-type-options'], 'nosniff');
      }
    });

    test('a log that looks like HTML is still text: nosniff, and a policy under which nothing runs', async (t) => {
      const h = await harness(t, kind);
      const job = await h.jobs.submit(submission({ name: 'html' }), alice);
      const folder = jobFolder(h.baseDir, job);
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'html.log'), '<html><script>alert(document.cookie)</script>\n');
      for (const url of [`/api/v1/jobs/${job.id}/log`, `/api/v1/jobs/${job.id}`, '/api/v1/nowhere']) {
        const response = await h.app.inject({ url, headers: h.as.bob });
        assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
        assert.match(String(response.headers['content-security-policy']), /default-src 'none'.*sandbox/, url);
      }
      const log = await h.app.inject({ url: `/api/v1/jobs/${job.id}/log`, headers: h.as.bob });
      assert.match(String(log.headers['content-type']), /^text\/plain/);
    });

    // One app a test: PostgreSQL test schemas are made one a test.
    test('/metrics: by default only with an admin token', async (t) => {
      const h = await harness(t, kind);
      assert.equal((await h.app.inject({ url: '/metrics' })).statusCode, 401);
      const forged = await h.app.inject({ url: '/metrics', headers: { authorization: 'Bearer img_nope' } });
      assert.equal(forged.statusCode, 401);
      assert.equal((await h.app.inject({ url: '/metrics', headers: h.as.alice })).statusCode, 403);
      const scraped = await h.app.inject({ url: '/metrics', headers: h.as.root });
      assert.equal(scraped.statusCode, 200);
      assert.match(scraped.body, /^# HELP img_jobs/m);
    });

    test('/metrics: open to anyone when configured so', async (t) => {
      const open = await harness(t, kind, { env: { IMG_WEB_METRICS: 'open' } });
      assert.equal((await open.app.inject({ url: '/metrics' })).statusCode, 200);
    });

    test('/metrics: off is no route at all', async (t) => {
      const off = await harness(t, kind, { env: { IMG_WEB_METRICS: 'off' } });
      assert.equal((await off.app.inject({ url: '/metrics', headers: off.as.root })).statusCode, 404);
    });
  });
}

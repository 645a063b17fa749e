import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/service/config/index.ts';
import { addressesMessage, serve } from '../../src/service/serve.ts';
import { tempDir } from './helpers.ts';

test('serve listens, makes the default admin, warns while its password is the default, and stops', async (t) => {
  const dir = tempDir(t);
  const config = loadConfig({
    env: { IMG_DB_DATA_DIR: dir, IMG_WORKER_BASE_DIR: join(dir, 'images'), IMG_WEB_LISTEN: '127.0.0.1:0' },
    warn: () => {},
  });
  const warnings: string[] = [];
  const server = await serve(config, (message) => warnings.push(message), { logger: false });
  t.after(() => server.stop());
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.equal(server.pagesUrl, `${server.url}img/`);
  assert.notEqual((await fetch(server.pagesUrl)).status, 404, 'the web pages answer there');
  assert.equal(
    addressesMessage(server),
    `IMG is serving at ${server.url}\n  web pages: ${server.url}img/\n` +
      `  API: ${server.url}api/v1/ (documentation: ${server.url}api/docs)`,
  );
  assert.deepEqual(await (await fetch(`${server.url}api/v1/healthz`)).json(), { status: 'ok' });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /imger user passwd imager/);
  const login = await fetch(`${server.url}api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'imager', password: 'imager' }),
  });
  assert.equal(login.status, 201);
  const docs = await fetch(`${server.url}api/docs/static/swagger-ui-bundle.js`);
  assert.equal(docs.status, 200, 'the docs page is served locally');
  assert.match(await docs.text(), /SwaggerUIBundle/);
});

test('serve gives the web pages under the configured url_prefix', async (t) => {
  const dir = tempDir(t);
  const config = loadConfig({
    env: {
      IMG_DB_DATA_DIR: dir,
      IMG_WORKER_BASE_DIR: join(dir, 'images'),
      IMG_WEB_LISTEN: '127.0.0.1:0',
      IMG_WEB_URL_PREFIX: '/builds/web/',
      IMG_WORKER_NUM_WORKERS: '0',
    },
    warn: () => {},
  });
  const server = await serve(config, () => {}, { logger: false });
  t.after(() => server.stop());
  assert.equal(server.pagesUrl, `${server.url}builds/web/`);
  assert.match(addressesMessage(server), new RegExp(`web pages: ${server.url}builds/web/\n`));
});

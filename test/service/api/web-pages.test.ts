import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Fastify from 'fastify';
import { installWebPages, pagePrefix } from '../../../src/service/api/web-pages.ts';
import { tempDir } from '../helpers.ts';

const INDEX =
  '<!doctype html><html><head><script type="module" src="./assets/app-1a2b.js"></script></head></html>';

function builtPages(dir: string): string {
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets/app-1a2b.js'), 'console.log(1);');
  return dir;
}

async function appWith(urlPrefix: string, dir: string) {
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
  await installWebPages(app, urlPrefix, dir);
  return app;
}

test('pagePrefix makes one leading and one trailing slash of url_prefix', () => {
  assert.equal(pagePrefix('img'), '/img/');
  assert.equal(pagePrefix('/a/b/'), '/a/b/');
  assert.equal(pagePrefix(''), '/');
});

test('every page path below the prefix answers the app with its base and a strict CSP', async (t) => {
  const app = await appWith('img', builtPages(tempDir(t)));
  t.after(() => app.close());
  for (const url of [
    '/img/',
    '/img',
    '/img/queue/web/',
    '/img/job/01ABC',
    '/img/admin/users/',
    '/img/share/imgs_x',
  ]) {
    const response = await app.inject(url);
    assert.equal(response.statusCode, 200, url);
    assert.match(response.body, /<head>\s*<base href="\/img\/" \/>/, url);
    assert.match(String(response.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(response.headers['cache-control'], 'no-cache');
    // A share link's token is in the page's address: no other site is told it.
    assert.equal(response.headers['referrer-policy'], 'same-origin', url);
  }
  const asset = await app.inject('/img/assets/app-1a2b.js');
  assert.equal(asset.statusCode, 200);
  assert.match(String(asset.headers['cache-control']), /immutable/);
  assert.equal((await app.inject('/img/assets/gone-9z9z.js')).statusCode, 404, 'a missing asset is no page');
  const root = await app.inject('/');
  assert.equal(root.statusCode, 302);
  assert.equal(root.headers.location, '/img/');
});

test('with an empty prefix the app is at the root, and the API keeps its own 404', async (t) => {
  const app = await appWith('', builtPages(tempDir(t)));
  t.after(() => app.close());
  assert.match((await app.inject('/job/01ABC')).body, /<base href="\/" \/>/);
  const missing = await app.inject('/api/v1/nothing-here');
  assert.equal(missing.statusCode, 404);
  assert.match(String(missing.headers['content-type']), /json/);
});

test('without a build the pages say how to make one', async (t) => {
  const app = await appWith('img', tempDir(t));
  t.after(() => app.close());
  const response = await app.inject('/img/queue/');
  assert.equal(response.statusCode, 503);
  assert.match(response.body, /vite build/);
});

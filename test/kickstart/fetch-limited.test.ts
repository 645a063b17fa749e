// A URL a kickstart names (`imger ks check --allow-urls`, %include http://…) is fetched with a bound on its
// size: a server that streams without end is cut off, not read into memory, and the include is an error on
// its line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fetchLimited } from '../../src/kickstart/fetch-limited.ts';
import { parseWithUrls } from '../../src/kickstart/load.ts';
import { endlessServer } from './endless-server.ts';

test('an %include URL that streams without end is cut off at the size limit and reported on its line', async () => {
  const server = await endlessServer();
  const url = `${server.url}/endless.ks`;
  const result = await parseWithUrls(`lang en_US\n%include ${url}\n`, 'main.ks', { allowUrls: true });
  assert.deepEqual(
    result.errors.map((d) => `${d.file}:${d.line} ${d.message}`),
    [`main.ks:2 %include ${url}: the URL could not be fetched`],
  );
  assert.ok(server.sent() < 64 * 2 ** 20, `the parser read ${server.sent()} bytes of an include`);
});

test('a stopped fetch rejects with the stop, not a size or network error', async () => {
  const server = await endlessServer();
  const stop = new AbortController();
  stop.abort(new Error('cancelled by the user'));
  await assert.rejects(fetchLimited(server.url, 1024, stop.signal), /cancelled by the user/);
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ApiClient, type LogEvent } from '../../../src/client/api-client.ts';
import { localJobFolder as jobFolder } from '../../../src/service/jobs/artifact-store.ts';
import { databaseKinds } from '../helpers.ts';
import { alice, submission } from '../jobs/fixtures.ts';
import { type Harness, harness } from './harness.ts';

const image = Buffer.from('0123456789abcdefghij');
const sha = createHash('sha256').update(image).digest('hex');

/** A job built by a pretend worker: its folder holds a log, the image, and a link pointing outside. */
async function builtJob(h: Harness) {
  const job = await h.jobs.submit(submission({ name: 'built' }), alice);
  await h.jobs.claim(['api'], 'w1');
  const folder = jobFolder(h.baseDir, job);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'built.log'), 'line 1\nline 2\n');
  writeFileSync(join(folder, 'built.tar.zst'), image);
  symlinkSync('/etc/passwd', join(folder, 'escape'));
  await h.jobs.finish(job.id, 'w1', {
    artifacts: [
      { name: 'built.tar.zst', size: image.length, sha256: sha, main: true },
      { name: 'escape', size: 1, sha256: 'x', main: false },
    ],
  });
  return { job, folder };
}

for (const kind of databaseKinds) {
  describe(`job files on ${kind}`, () => {
    test('the log as text, with Range and ?offset=', async (t) => {
      const h = await harness(t, kind);
      const { job } = await builtJob(h);
      const url = `/api/v1/jobs/${job.id}/log`;
      const whole = await h.app.inject({ url, headers: h.as.bob });
      assert.equal(whole.statusCode, 200);
      assert.equal(whole.body, 'line 1\nline 2\n');
      assert.match(String(whole.headers['content-type']), /^text\/plain/);
      const ranged = await h.app.inject({ url, headers: { ...h.as.bob, range: 'bytes=7-' } });
      assert.equal(ranged.statusCode, 206);
      assert.equal(ranged.body, 'line 2\n');
      assert.equal(ranged.headers['content-range'], 'bytes 7-13/14');
      assert.equal((await h.app.inject({ url: `${url}?offset=7`, headers: h.as.bob })).body, 'line 2\n');
      const waiting = await h.jobs.submit(submission(), alice);
      assert.equal(
        (await h.app.inject({ url: `/api/v1/jobs/${waiting.id}/log`, headers: h.as.bob })).body,
        '',
      );
    });

    test('?follow=1 streams new lines as Server-Sent Events until the job ends', async (t) => {
      const h = await harness(t, kind);
      const job = await h.jobs.submit(submission({ name: 'live' }), alice);
      await h.jobs.claim(['api'], 'w1');
      const folder = jobFolder(h.baseDir, job);
      mkdirSync(folder, { recursive: true });
      const log = join(folder, 'live.log');
      writeFileSync(log, 'first\n');
      const address = await h.app.listen({ host: '127.0.0.1', port: 0 });
      const started = Date.now();
      const response = await fetch(`${address}/api/v1/jobs/${job.id}/log?follow=1`, { headers: h.as.bob });
      assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      const reader = response.body!.getReader();
      let text = '';
      const readUntil = async (pattern: RegExp) => {
        while (!pattern.test(text)) {
          const { value, done } = await reader.read();
          if (done) break;
          text += new TextDecoder().decode(value);
        }
      };
      await readUntil(/data: first/);
      const written = Date.now();
      appendFileSync(log, 'second\nthird\n');
      await readUntil(/data: third/);
      assert.ok(Date.now() - written < 1000, 'a new line arrives within a second');
      await h.jobs.finish(job.id, 'w1', { artifacts: [] });
      await readUntil(/event: end/);
      assert.match(text, /event: log\nid: 6\ndata: first\n\n/);
      assert.match(text, /data: second\ndata: third\n\n/);
      assert.match(text, /event: end\ndata: DONE\n\n$/);
      assert.ok(Date.now() - started < 5000);
    });

    test("a build's log cannot write Server-Sent Events of its own: every line break starts a data line", async (t) => {
      const h = await harness(t, kind);
      const job = await h.jobs.submit(submission({ name: 'hostile' }), alice);
      await h.jobs.claim(['api'], 'w1');
      const folder = jobFolder(h.baseDir, job);
      mkdirSync(folder, { recursive: true });
      // Each would end the event and start a fake `end` for a parser that splits lines at CR as the spec says.
      const hostile = [
        'progress 10%\r\revent: end\rdata: FAKE\r\r',
        'crlf\r\n\r\nevent: end\r\ndata: FAKE',
        'lf only',
      ];
      writeFileSync(join(folder, 'hostile.log'), `${hostile.join('\n')}\n`);
      const address = await h.app.listen({ host: '127.0.0.1', port: 0 });

      const raw = await fetch(`${address}/api/v1/jobs/${job.id}/log?follow=1`, { headers: h.as.bob });
      assert.equal(raw.headers.get('x-content-type-options'), 'nosniff');
      const reader = raw.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      while (!text.includes('lf only')) text += (await reader.read()).value ?? '';
      await reader.cancel();
      assert.doesNotMatch(text, /\r/, 'no CR reaches the stream');
      // Per the spec a block ends at an empty line; every line of the log's block is a data line.
      const block = text.split('\n\n')[0] ?? '';
      assert.ok(
        block.split('\n').every((line) => /^(event: log|id: \d+|data: .*)$/.test(line)),
        block,
      );
      assert.doesNotMatch(text, /^event: end/m);

      const client = new ApiClient({
        server: address,
        token: h.as.bob.authorization.slice('Bearer '.length),
      });
      const events: LogEvent[] = [];
      const following = (async () => {
        for await (const event of client.followLog(job.id)) events.push(event);
      })();
      await h.jobs.finish(job.id, 'w1', { artifacts: [] });
      await following;
      const ends = events.filter((event) => event.type === 'end');
      assert.deepEqual(ends, [{ type: 'end', status: 'DONE' }], 'only the real end, after the job ended');
      const shown = events.flatMap((event) => (event.type === 'log' ? [event.text] : [])).join('');
      assert.match(shown, /^progress 10%\n\nevent: end\ndata: FAKE\n/, 'the text still shows, as lines');
    });

    test('a follower that reconnects with Last-Event-ID resumes where it was', async (t) => {
      const h = await harness(t, kind);
      const { job } = await builtJob(h);
      const response = await h.app.inject({
        url: `/api/v1/jobs/${job.id}/log?follow=1`,
        headers: { ...h.as.bob, 'last-event-id': '7' },
      });
      assert.equal(response.body, 'event: log\nid: 14\ndata: line 2\n\nevent: end\ndata: DONE\n\n');
    });

    test('following an ended job sends its whole log, however long, before the end event', async (t) => {
      const h = await harness(t, kind);
      const { job, folder } = await builtJob(h);
      const line = `${'x'.repeat(99)}\n`;
      writeFileSync(join(folder, 'built.log'), line.repeat(40_000));
      const response = await h.app.inject({ url: `/api/v1/jobs/${job.id}/log?follow=1`, headers: h.as.bob });
      const data = response.body.split('\n').filter((l) => l.startsWith('data: x'));
      assert.equal(data.length, 40_000);
      assert.match(response.body, /event: end\ndata: DONE\n\n$/);
    });

    test('files: the list, a download with Content-Length, ETag and Range, and /image', async (t) => {
      const h = await harness(t, kind);
      const { job } = await builtJob(h);
      const files = await h.app.inject({ url: `/api/v1/jobs/${job.id}/files`, headers: h.as.bob });
      assert.deepEqual(
        files.json().map((file: { name: string }) => file.name),
        ['built.tar.zst', 'escape'],
      );
      const url = `/api/v1/jobs/${job.id}/files/built.tar.zst`;
      const whole = await h.app.inject({ url, headers: h.as.bob });
      assert.equal(whole.statusCode, 200);
      assert.deepEqual(whole.rawPayload, image);
      assert.equal(whole.headers['content-length'], String(image.length));
      assert.equal(whole.headers.etag, `"${sha}"`);
      assert.match(String(whole.headers['content-disposition']), /filename="built.tar.zst"/);
      const notModified = await h.app.inject({ url, headers: { ...h.as.bob, 'if-none-match': `"${sha}"` } });
      assert.equal(notModified.statusCode, 304);
      const part = await h.app.inject({ url, headers: { ...h.as.bob, range: 'bytes=2-4' } });
      assert.equal(part.statusCode, 206);
      assert.equal(part.body, '234');
      assert.equal(part.headers['content-length'], '3');
      const suffix = await h.app.inject({ url, headers: { ...h.as.bob, range: 'bytes=-3' } });
      assert.equal(suffix.body, 'hij');
      const outside = await h.app.inject({ url, headers: { ...h.as.bob, range: 'bytes=50-' } });
      assert.equal(outside.statusCode, 416);
      const main = await h.app.inject({ url: `/api/v1/jobs/${job.id}/image`, headers: h.as.bob });
      assert.deepEqual(main.rawPayload, image);
      const legacy = await h.app.inject({ url: `/img/images/${job.id}` });
      assert.equal(legacy.statusCode, 302);
      assert.equal(legacy.headers.location, `/api/v1/jobs/${job.id}/image`);
    });

    test('DELETE removes the row and every file of the job', async (t) => {
      const h = await harness(t, kind);
      const { job, folder } = await builtJob(h);
      const response = await h.app.inject({
        method: 'DELETE',
        url: `/api/v1/jobs/${job.id}`,
        headers: h.as.alice,
      });
      assert.equal(response.statusCode, 204);
      assert.equal(existsSync(folder), false);
      assert.equal(await h.jobs.get(job.id), null);
    });

    test('no path escapes: names outside the artifact list, dot-dot and links out of the folder are refused', async (t) => {
      const h = await harness(t, kind);
      const { job } = await builtJob(h);
      for (const name of [
        'built.log',
        '..%2F..%2F..%2Fetc%2Fpasswd',
        '../../../../etc/passwd',
        'escape',
        '%2Fetc%2Fpasswd',
      ]) {
        const response = await h.app.inject({
          url: `/api/v1/jobs/${job.id}/files/${name}`,
          headers: h.as.bob,
        });
        assert.equal(response.statusCode, 404, name);
        assert.doesNotMatch(response.body, /root:/);
      }
    });
  });
}

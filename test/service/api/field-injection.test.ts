import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { databaseKinds } from '../helpers.ts';
import { validKickstart } from '../jobs/fixtures.ts';
import { type Harness, harness } from './harness.ts';

const body = { kickstart: validKickstart, type: 'fs', arch: 'x86_64', name: 'fields' };

/** The attack is refused with a 400 naming the field, and no job was stored. */
async function refused(h: Harness, payload: object, field: RegExp, url = '/api/v1/jobs') {
  const response = await h.app.inject({ method: 'POST', url, headers: h.as.alice, payload });
  assert.equal(response.statusCode, 400, `${JSON.stringify(payload)} → ${response.body}`);
  assert.equal(response.json().error, 'bad-request');
  assert.match(response.json().message, field);
  assert.equal((await h.jobs.list({}, { limit: 10 })).jobs.length, 0, 'no job was stored');
}

/** The harmless variant is taken: the refusals above are the check's, not a blanket one. */
async function accepted(h: Harness, payload: object) {
  const response = await h.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: h.as.alice, payload });
  assert.equal(response.statusCode, 201, response.body);
  return response.json();
}

/** A raw multipart body: the kickstart's bytes are sent exactly as given. */
function multipartWith(kickstart: Buffer) {
  const boundary = '----imgtest';
  const head = (name: string, extra = '') =>
    `--${boundary}\r\ncontent-disposition: form-data; name="${name}"${extra}\r\n\r\n`;
  return {
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: Buffer.concat([
      Buffer.from(`${head('type')}fs\r\n${head('arch')}x86_64\r\n${head('kickstart', '; filename="x.ks"')}`),
      kickstart,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
  };
}

for (const kind of databaseKinds) {
  describe(`fields that would inject, on ${kind}`, () => {
    test('a token value with a line break would add kickstart lines after the check: refused', async (t) => {
      const h = await harness(t, kind);
      const kickstart = `${validKickstart}part / --size=1000 --label=@LABEL@\n`;
      for (const value of [
        'root\n%include /etc/shadow',
        'root\r%post\nid\n%end',
        'root\u2028x',
        'a\u000bb',
      ]) {
        await refused(h, { ...body, kickstart, tokenmap: `LABEL:${value}` }, /^tokenmap: the value of LABEL/);
        await refused(h, { kickstart, tokenmap: `LABEL:${value}` }, /^tokenmap: /, '/api/v1/kickstarts/lint');
      }
      await accepted(h, { ...body, kickstart, tokenmap: 'LABEL:my_root' });
    });

    test('an e-mail address with a line break or a list would add recipients: refused', async (t) => {
      const h = await harness(t, kind);
      for (const email of [
        'me@example.org\r\nBcc: everyone@example.org',
        'me@example.org\nTo: x@example.org',
        'me@example.org, boss@example.org',
        'Me <me@example.org>',
        'me@example.org;x@example.org',
      ]) {
        await refused(h, { ...body, email }, /^email: /);
      }
    });

    test('an extra repository that is not one http(s)/ftp URL is refused', async (t) => {
      const h = await harness(t, kind);
      for (const repo of [
        '[trusted=yes] http://evil.example/debian bookworm main',
        'http://example.org/repo\n%include /etc/passwd',
        'http://example.org/\tbookworm',
        'file:///etc',
        'javascript:alert(1)',
        'http://example.org/"quoted"',
        'not a url',
        'http://example.org/debian bookworm main --gpgkey=x]',
      ]) {
        await refused(h, { ...body, extra_repos: ['http://example.org/fine', repo] }, /^extra_repos\[1\]: /);
      }
      await accepted(h, {
        ...body,
        extra_repos: [
          'https://deb.example.org/debian bookworm main contrib',
          'ftp://mirror.example.org/rpm/',
        ],
      });
    });

    test('package names, tags and names keep to their syntax', async (t) => {
      const h = await harness(t, kind);
      for (const name of ['vim\n%post', 'vim --option', '%include x', 'a;b', '"vim"']) {
        await refused(h, { ...body, packages: ['bash', name] }, /^packages\[1\]: /);
      }
      await refused(h, { ...body, tags: ['fine', 'bad\r\ntag'] }, /^tags\[1\]: /);
      await refused(h, { ...body, name: '../escape' }, /^name: /);
      const job = await accepted(h, {
        ...body,
        // A comps group with a space is an rpm repository's (apt has task packages, refused by the plan).
        kickstart: `${body.kickstart}repo --name=os --baseurl=http://rpm.example.org/os --type=rpm\n`,
        packages: ['vim-nox', '-nano', 'libstdc++6', '@Base System', '@^minimal', 'kernel*'],
      });
      const patched = await h.app.inject({
        method: 'PATCH',
        url: `/api/v1/jobs/${job.id}`,
        headers: h.as.alice,
        payload: { tags: ['x\ny'] },
      });
      assert.equal(patched.statusCode, 400);
      assert.match(patched.json().message, /^tags\[0\]: /);
    });

    test('a kickstart that is not UTF-8 is refused, not silently changed', async (t) => {
      const h = await harness(t, kind);
      const latin1 = Buffer.concat([Buffer.from(validKickstart), Buffer.from('# caf\xe9\n', 'latin1')]);
      const form = await h.app.inject({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: { ...h.as.alice, ...multipartWith(latin1).headers },
        payload: multipartWith(latin1).payload,
      });
      assert.equal(form.statusCode, 400, form.body);
      assert.equal(
        form.json().message,
        `kickstart: is not valid UTF-8 (at byte ${validKickstart.length + 5})`,
      );

      const json = Buffer.concat([
        Buffer.from(
          `{"type":"fs","arch":"x86_64","kickstart":"${validKickstart.replaceAll('\n', '\\n')}# caf`,
        ),
        Buffer.from([0xe9]),
        Buffer.from('"}'),
      ]);
      const raw = await h.app.inject({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: { ...h.as.alice, 'content-type': 'application/json' },
        payload: json,
      });
      assert.equal(raw.statusCode, 400, raw.body);
      assert.match(raw.json().message, /^kickstart: is not valid UTF-8/);

      // JSON can also carry half a surrogate pair, which no UTF-8 file can hold as sent.
      const surrogate = await h.app.inject({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: { ...h.as.alice, 'content-type': 'application/json' },
        payload: `{"type":"fs","arch":"x86_64","kickstart":"${validKickstart.replaceAll('\n', '\\n')}# \\ud800"}`,
      });
      assert.equal(surrogate.statusCode, 400, surrogate.body);
      assert.match(surrogate.json().message, /^kickstart: is not valid Unicode/);
      assert.equal((await h.jobs.list({}, { limit: 10 })).jobs.length, 0);

      const utf8 = Buffer.from(`${validKickstart}# café ✓\n`);
      const fine = await h.app.inject({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: { ...h.as.alice, ...multipartWith(utf8).headers },
        payload: multipartWith(utf8).payload,
      });
      assert.equal(fine.statusCode, 201, fine.body);
      assert.equal(fine.json().kickstart, utf8.toString());
    });
  });
}

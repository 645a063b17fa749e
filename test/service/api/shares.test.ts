// Share links: a DONE job's files downloaded without a login, only that job's, only while the link lives; and
// the attacks on them (another job's files, expired, revoked and tampered tokens, path traversal, header
// injection through a file name).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { JobResult, ShareCreated, SharedJob } from '../../../src/contract/api.ts';
import { localJobFolder } from '../../../src/service/jobs/artifact-store.ts';
import { databaseKinds } from '../helpers.ts';
import { alice, bob, fakeClock, submission } from '../jobs/fixtures.ts';
import { type Harness, harness } from './harness.ts';

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** A DONE job of `owner` whose folder holds its image, a second file, its log and a link pointing outside. */
async function builtJob(h: Harness, name: string, owner = alice, kickstart?: string) {
  const job = await h.jobs.submit(
    submission({ name, type: 'raw', ...(kickstart ? { kickstart } : {}) }),
    owner,
  );
  await h.jobs.claimById(job.id, 'w1');
  const folder = localJobFolder(h.baseDir, job);
  mkdirSync(folder, { recursive: true });
  const image = Buffer.from(`${name} image bytes 0123456789`);
  writeFileSync(join(folder, `${name}-sda.raw`), image);
  writeFileSync(join(folder, 'manifest.txt'), `${name} manifest\n`);
  writeFileSync(join(folder, `${name}.log`), 'the build log\n');
  writeFileSync(join(folder, `${name}.ks`), 'rootpw --plaintext hunter22\n');
  symlinkSync('/etc/passwd', join(folder, 'escape'));
  await h.jobs.finish(job.id, 'w1', {
    artifacts: [
      { name: `${name}-sda.raw`, size: image.length, sha256: sha(image), main: true },
      { name: 'manifest.txt', size: 0, sha256: sha(`${name} manifest\n`), main: false },
      // As the builder records them: the log and the kickstart are files of the job, but not shared.
      { name: `${name}.log`, size: 14, sha256: sha('the build log\n'), main: false },
      { name: `${name}.ks`, size: 27, sha256: sha('rootpw --plaintext hunter22\n'), main: false },
      { name: 'escape', size: 1, sha256: 'x', main: false },
    ],
  });
  return { job, image, folder };
}

async function share(h: Harness, jobId: string, headers = h.as.alice, hours = 1) {
  const response = await h.app.inject({
    method: 'POST',
    url: `/api/v1/jobs/${jobId}/shares`,
    headers,
    payload: { expires_in_hours: hours },
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json<ShareCreated>();
}

const get = (h: Harness, url: string, headers: Record<string, string> = {}) => h.app.inject({ url, headers });

for (const kind of databaseKinds) {
  describe(`share links on ${kind}`, () => {
    test('the owner shares a DONE job: no login needed, Range works, the link lists files and how to boot', async (t) => {
      const h = await harness(t, kind);
      const { job, image } = await builtJob(h, 'shared');
      const link = await share(h, job.id);
      assert.match(link.token, /^imgs_[A-Za-z0-9_-]{43}$/);
      assert.equal(link.url, `/api/v1/share/${link.token}`);

      const opened = await get(h, link.url);
      assert.equal(opened.statusCode, 200, opened.body);
      assert.equal(opened.headers['cache-control'], 'private, no-store');
      const shared = opened.json<SharedJob>();
      assert.equal(shared.name, 'shared');
      assert.equal(shared.expires, link.expires);
      assert.deepEqual(
        shared.files.map((file) => file.name),
        ['escape', 'manifest.txt', 'shared-sda.raw'],
      );
      assert.equal(shared.result.image?.name, 'shared-sda.raw');
      assert.ok(shared.result.use?.commands.some((line) => line.includes('qemu-system-x86_64')));
      assert.equal('owner' in shared, false, 'nothing of the owner goes to the link holder');

      const whole = await get(h, `${link.url}/shared-sda.raw`);
      assert.equal(whole.statusCode, 200);
      assert.deepEqual(whole.rawPayload, image);
      const part = await get(h, `${link.url}/shared-sda.raw`, { range: 'bytes=0-5' });
      assert.equal(part.statusCode, 206);
      assert.equal(part.body, 'shared');
      assert.equal(part.headers['content-range'], `bytes 0-5/${image.length}`);
      assert.equal((await get(h, `${link.url}/manifest.txt`)).body, 'shared manifest\n');
    });

    test('a token opens only its own job: not another job’s files, not the log, not the API', async (t) => {
      const h = await harness(t, kind);
      const a = await builtJob(h, 'job-a');
      const b = await builtJob(h, 'job-b', bob);
      const link = await share(h, a.job.id);
      assert.equal((await get(h, `${link.url}/job-b-sda.raw`)).statusCode, 404, "B's image through A's link");
      assert.equal((await get(h, `${link.url}/job-a.log`)).statusCode, 404, 'the log is not shared');
      const kickstart = await get(h, `${link.url}/job-a.ks`);
      assert.equal(kickstart.statusCode, 404, 'nor the kickstart, which may hold a password');
      assert.doesNotMatch((await get(h, link.url)).body, /job-a\.(log|ks)|hunter22/);
      assert.equal((await get(h, `/api/v1/jobs/${a.job.id}/files/job-a.ks`, h.as.alice)).statusCode, 200);
      assert.equal((await get(h, `/api/v1/jobs/${b.job.id}/image`)).statusCode, 401);
      const asBearer = await get(h, `/api/v1/jobs/${b.job.id}/image`, {
        authorization: `Bearer ${link.token}`,
      });
      assert.equal(asBearer.statusCode, 401, 'a share token is no API token');
      assert.equal(
        (await get(h, `/api/v1/jobs/${a.job.id}/shares`, { authorization: `Bearer ${link.token}` }))
          .statusCode,
        401,
      );
    });

    test('path traversal and links out of the folder are refused', async (t) => {
      const h = await harness(t, kind);
      const a = await builtJob(h, 'job-a');
      const b = await builtJob(h, 'job-b');
      const link = await share(h, a.job.id);
      for (const path of [
        '../job-b/job-b-sda.raw',
        '..%2Fjob-b%2Fjob-b-sda.raw',
        `..%2F..%2F${b.job.owner}%2F${b.job.id}%2Fjob-b-sda.raw`,
        '%2Fetc%2Fpasswd',
        'escape',
        'manifest.txt%00.raw',
      ]) {
        const response = await get(h, `${link.url}/${path}`);
        assert.ok([400, 404].includes(response.statusCode), `${path}: ${response.statusCode}`);
        assert.doesNotMatch(response.body, /root:x:0:0|job-b image/, path);
      }
    });

    test('expired, revoked, tampered and made-up tokens are refused alike; so is a deleted job’s', async (t) => {
      const clock = fakeClock();
      const h = await harness(t, kind, { now: clock.now });
      const { job } = await builtJob(h, 'timed');
      const short = await share(h, job.id, h.as.alice, 1);
      const long = await share(h, job.id, h.as.alice, 48);
      const revoked = await share(h, job.id, h.as.alice, 48);

      const refused = async (token: string) => {
        for (const url of [`/api/v1/share/${token}`, `/api/v1/share/${token}/timed-sda.raw`]) {
          const response = await get(h, url);
          assert.equal(response.statusCode, 404, `${url}: ${response.body}`);
          assert.equal(response.json<{ error: string }>().error, 'not-found');
        }
      };
      const last = revoked.token.at(-1) === 'A' ? 'B' : 'A';
      await refused(`${revoked.token.slice(0, -1)}${last}`);
      await refused(revoked.token.slice(0, -1));
      await refused(`${revoked.token}A`);
      await refused(`imgs_${'A'.repeat(43)}`);
      await refused('x'.repeat(100));

      const del = await h.app.inject({
        method: 'DELETE',
        url: `/api/v1/jobs/${job.id}/shares/${revoked.id}`,
        headers: h.as.alice,
      });
      assert.equal(del.statusCode, 204);
      await refused(revoked.token);

      clock.advance(2 * 3_600_000);
      await refused(short.token);
      assert.equal(
        (await get(h, `${long.url}/timed-sda.raw`)).statusCode,
        200,
        'the longer link still works',
      );
      const listed = await h.app.inject({ url: `/api/v1/jobs/${job.id}/shares`, headers: h.as.alice });
      assert.deepEqual(
        listed.json<{ id: string }[]>().map((entry) => entry.id),
        [long.id],
        'neither the expired nor the revoked link is listed',
      );
      assert.doesNotMatch(listed.body, new RegExp(long.token), 'the list never shows a token');

      await h.jobs.remove(job.id, alice);
      await refused(long.token);
    });

    test('only the owner or an admin shares, lists and revokes; only DONE jobs; the lifetime is capped', async (t) => {
      const h = await harness(t, kind);
      const { job } = await builtJob(h, 'mine');
      const link = await share(h, job.id);
      const asBob = (method: 'POST' | 'GET' | 'DELETE', url: string) =>
        h.app.inject({
          method,
          url,
          headers: h.as.bob,
          ...(method === 'POST' ? { payload: { expires_in_hours: 1 } } : {}),
        });
      assert.equal((await asBob('POST', `/api/v1/jobs/${job.id}/shares`)).statusCode, 403);
      assert.equal((await asBob('GET', `/api/v1/jobs/${job.id}/shares`)).statusCode, 403);
      assert.equal((await asBob('DELETE', `/api/v1/jobs/${job.id}/shares/${link.id}`)).statusCode, 403);
      const byAdmin = await share(h, job.id, h.as.root);
      assert.equal(byAdmin.created_by, 'root');

      const other = await builtJob(h, 'other');
      const crossed = await h.app.inject({
        method: 'DELETE',
        url: `/api/v1/jobs/${other.job.id}/shares/${link.id}`,
        headers: h.as.alice,
      });
      assert.equal(crossed.statusCode, 404, 'a link is revoked through its own job only');
      assert.equal((await get(h, link.url)).statusCode, 200);

      for (const hours of [0, 721, 1.5, -1]) {
        const response = await h.app.inject({
          method: 'POST',
          url: `/api/v1/jobs/${job.id}/shares`,
          headers: h.as.alice,
          payload: { expires_in_hours: hours },
        });
        assert.equal(response.statusCode, 400, `${hours} hours`);
      }
      const waiting = await h.jobs.submit(submission(), alice);
      const early = await h.app.inject({
        method: 'POST',
        url: `/api/v1/jobs/${waiting.id}/shares`,
        headers: h.as.alice,
        payload: { expires_in_hours: 1 },
      });
      assert.equal(early.statusCode, 409);
      assert.match(early.json<{ message: string }>().message, /only a DONE job/);
    });

    test('a hostile file name cannot add a header through Content-Disposition', async (t) => {
      const h = await harness(t, kind);
      const job = await h.jobs.submit(submission({ name: 'hostile' }), alice);
      await h.jobs.claimById(job.id, 'w1');
      const folder = localJobFolder(h.baseDir, job);
      mkdirSync(folder, { recursive: true });
      // A name with line breaks is never opened by the artifact store; one with quotes, a second parameter and
      // non-ASCII is served, its name unable to end the header's value.
      const broken = 'a\r\nSet-Cookie: x=1\r\n.raw';
      const quoted = 'a"b; filename=evil.sh é.raw';
      for (const name of [broken, quoted]) writeFileSync(join(folder, name), 'data');
      await h.jobs.finish(job.id, 'w1', {
        artifacts: [
          { name: broken, size: 4, sha256: sha('data'), main: false },
          { name: quoted, size: 4, sha256: sha('data'), main: true },
        ],
      });
      const link = await share(h, job.id);
      const refused = await get(h, `${link.url}/${encodeURIComponent(broken)}`);
      assert.equal(refused.statusCode, 404, refused.body);
      assert.equal(refused.headers['set-cookie'], undefined);
      const response = await get(h, `${link.url}/${encodeURIComponent(quoted)}`);
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.body, 'data');
      assert.equal(
        response.headers['content-disposition'],
        `attachment; filename="a_b; filename=evil.sh _.raw"; filename*=UTF-8''a%22b%3B%20filename%3Devil.sh%20%C3%A9.raw`,
      );
    });

    test('the token is stored only as its sha256, and looked up by it', async (t) => {
      const h = await harness(t, kind);
      const { job } = await builtJob(h, 'hashed');
      const link = await share(h, job.id);
      // Comparing digests: how long a lookup takes depends on the digest of what was sent, and a near-miss token
      // has an unrelated digest, so timing tells nothing about the real token's characters.
      const resolved = await h.shares.resolve(link.token);
      assert.equal(resolved?.id, link.id);
      const listed = await h.shares.list(job.id);
      assert.doesNotMatch(JSON.stringify(listed), new RegExp(link.token.slice(5)));
    });

    test("a link's token never reaches the service's request log, whatever the request", async (t) => {
      const lines: string[] = [];
      const stream = { write: (line: string) => void lines.push(line) };
      const h = await harness(t, kind, { logger: { level: 'debug', stream } });
      const { job } = await builtJob(h, 'logged');
      const link = await share(h, job.id);
      for (const url of [
        `/api/v1/share/${link.token}`,
        `/api/v1/share/${link.token}/logged-sda.raw`,
        `/api/v1/share/${link.token}/missing?x=1`,
        `/share/${link.token}`,
      ])
        await get(h, url);
      await h.app.inject({ method: 'HEAD', url: `/api/v1/share/${link.token}/logged-sda.raw` });
      assert.ok(
        lines.some((line) => line.includes('/share/')),
        'the requests are logged',
      );
      const secret = link.token.slice(5);
      assert.deepEqual(
        lines.filter((line) => line.includes(secret)),
        [],
      );
    });

    test('the result of a DONE job: image, use for its type, and logins without any password', async (t) => {
      const h = await harness(t, kind);
      const kickstart =
        'lang en_US.UTF-8\ntimezone UTC\nrootpw --plaintext hunter22\nuser --name=dev --password=s3cret-pw\n' +
        'user --name=guest --lock\npart / --size=1024\n%packages\nbash\n%end\n';
      const { job } = await builtJob(h, 'result', alice, kickstart);
      const response = await get(h, `/api/v1/jobs/${job.id}/result`, h.as.bob);
      assert.equal(response.statusCode, 200, response.body);
      const result = response.json<JobResult>();
      assert.equal(result.image?.name, 'result-sda.raw');
      assert.deepEqual(result.logins, {
        root_password: true,
        users: [
          { name: 'dev', password: true },
          { name: 'guest', password: false },
        ],
      });
      assert.ok(result.use?.commands.some((line) => line.startsWith('dd if=result-sda.raw')));
      assert.doesNotMatch(response.body, /hunter22|s3cret-pw/);
    });
  });
}

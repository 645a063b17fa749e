// GET /jobs/{a}/diff/{b}: the difference of two jobs' manifests, read as files of their folders, and what an
// attacker can do with it: bad ids, a job without a manifest, a corrupt, huge or linked manifest.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ApiClient, ApiError } from '../../../src/client/api-client.ts';
import { diffLines } from '../../../src/contract/diff-text.ts';
import {
  MANIFEST_FORMAT,
  MAX_MANIFEST_BYTES,
  type Manifest,
  type ManifestFile,
} from '../../../src/contract/manifest.ts';
import { localJobFolder as jobFolder } from '../../../src/service/jobs/artifact-store.ts';
import { diffMemory } from '../../../src/service/jobs/job-diff.ts';
import { alice, submission } from '../jobs/fixtures.ts';
import { type Harness, harness } from './harness.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const file = (path: string, text: string): ManifestFile => ({
  path,
  kind: 'file',
  mode: 0o644,
  uid: 0,
  gid: 0,
  size: text.length,
  sha256: sha(text),
});
const dir = (path: string): ManifestFile => ({ path, kind: 'dir', mode: 0o755, uid: 0, gid: 0 });

const before: Manifest = {
  format: MANIFEST_FORMAT,
  packages: [
    { name: 'bash', version: '5.2.15-2+b2', arch: 'amd64' },
    { name: 'vim-tiny', version: '2:9.0.1378-2', arch: 'amd64' },
  ],
  files: [dir('/'), dir('/etc'), file('/etc/hostname', 'a\n'), file('/etc/old', 'x')],
};
const after: Manifest = {
  format: MANIFEST_FORMAT,
  packages: [
    { name: 'bash', version: '5.2.15-2+b2', arch: 'amd64' },
    { name: 'hello', version: '2.10-3', arch: 'amd64' },
    { name: 'vim-tiny', version: '2:9.0.1378-3', arch: 'amd64' },
  ],
  files: [
    dir('/'),
    dir('/etc'),
    file('/etc/hostname', 'bb\n'),
    dir('/usr'),
    { ...file('/usr/bin/hello', 'ELF'), mode: 0o755 },
    { path: '/usr/bin/evil\u001b]0;owned\u0007', kind: 'link', mode: 0o777, uid: 0, gid: 0, target: 'hello' },
  ],
};

/** A DONE job of alice's whose folder holds `content` as its manifest (recorded as one of its files). */
async function jobWithManifest(h: Harness, name: string, content: string | Buffer | null) {
  const job = await h.jobs.submit(submission({ name }), alice);
  await h.jobs.claim(['api'], 'w1');
  const folder = jobFolder(h.baseDir, job);
  mkdirSync(folder, { recursive: true });
  const manifest = `${name}.manifest.json`;
  if (content !== null) writeFileSync(join(folder, manifest), content);
  await h.jobs.finish(job.id, 'w1', {
    artifacts: [{ name: manifest, size: 1, sha256: sha(''), main: false }],
  });
  return { job, path: join(folder, manifest) };
}

async function get(h: Harness, url: string, headers: Record<string, string> = h.as.bob) {
  const response = await h.app.inject({ url: `/api/v1${url}`, headers });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
}

describe('job diff', () => {
  test('another user reads what changed between two jobs: packages added and changed, files by field', async (t) => {
    const h = await harness(t, 'sqlite');
    const a = await jobWithManifest(h, 'before', JSON.stringify(before));
    const b = await jobWithManifest(h, 'after', JSON.stringify(after));
    const { status, body } = await get(h, `/jobs/${a.job.id}/diff/${b.job.id}`);
    assert.equal(status, 200, JSON.stringify(body));
    const diff = body as unknown as import('../../../src/contract/manifest.ts').JobDiff;
    assert.deepEqual(diff.packages.added, [{ name: 'hello', version: '2.10-3', arch: 'amd64' }]);
    assert.deepEqual(diff.packages.removed, []);
    assert.deepEqual(diff.packages.changed, [
      { name: 'vim-tiny', arch: 'amd64', from: '2:9.0.1378-2', to: '2:9.0.1378-3' },
    ]);
    assert.deepEqual(
      diff.files.added.map((f) => f.path),
      ['/usr', '/usr/bin/hello', '/usr/bin/evil\u001b]0;owned\u0007'],
    );
    assert.deepEqual(
      diff.files.removed.map((f) => f.path),
      ['/etc/old'],
    );
    assert.deepEqual(
      diff.files.changed.map((f) => [f.path, f.fields]),
      [['/etc/hostname', ['size', 'sha256']]],
    );

    // The CLI's client and text: a hostile file name cannot drive the terminal.
    const address = await h.app.listen({ host: '127.0.0.1', port: 0 });
    const client = new ApiClient({ server: address, token: h.as.bob.authorization.slice('Bearer '.length) });
    const text = diffLines(await client.diff(a.job.id, b.job.id)).join('\n');
    assert.match(text, /^\+ package hello 2\.10-3 amd64$/m);
    assert.match(text, /^\+ \/usr\/bin\/hello \(file, 0755, 0:0, 3 bytes, sha256 /m);
    assert.match(text, /^~ package vim-tiny 2:9\.0\.1378-2 -> 2:9\.0\.1378-3 amd64$/m);
    assert.match(text, /^- \/etc\/old /m);
    assert.match(text, /evil\\x1b\]0;owned\\x07/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting no control character gets through.
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f]/);
  });

  test('without a login, 401; an id that is no job id, 400; an unknown job, 404', async (t) => {
    const h = await harness(t, 'sqlite');
    const a = await jobWithManifest(h, 'before', JSON.stringify(before));
    assert.equal((await get(h, `/jobs/${a.job.id}/diff/${a.job.id}`, {})).status, 401);
    const openapi = (await h.app.inject({ url: '/api/openapi.json' })).json();
    assert.ok(openapi.paths['/api/v1/jobs/{id}/diff/{other}'].get, 'documented');
    for (const bad of ['..%2F..%2Fetc', 'a%20b', 'x'.repeat(65), '%00', 'a%0aX-Injected:%201']) {
      const { status, body } = await get(h, `/jobs/${a.job.id}/diff/${bad}`);
      assert.equal(status, 400, bad);
      assert.equal(body.error, 'bad-request');
      assert.equal((await get(h, `/jobs/${bad}/diff/${a.job.id}`)).status, 400, bad);
    }
    const unknown = await get(h, `/jobs/${a.job.id}/diff/01ARZ3NDEKTSV4RRFFQ69G5FAV`);
    assert.equal(unknown.status, 404);
    assert.match(String(unknown.body.message), /no job 01ARZ3NDEKTSV4RRFFQ69G5FAV/);
    const same = await get(h, `/jobs/${a.job.id}/diff/${a.job.id}`);
    assert.equal(same.status, 200);
    assert.equal((same.body.files as { added: unknown[] }).added.length, 0);
  });

  test('a job without a manifest is a 404; a corrupt, oversized or linked one fails cleanly, naming the job', async (t) => {
    const h = await harness(t, 'sqlite');
    const good = await jobWithManifest(h, 'good', JSON.stringify(before));
    const gone = await jobWithManifest(h, 'gone', null);
    assert.equal((await get(h, `/jobs/${good.job.id}/diff/${gone.job.id}`)).status, 404);

    const corrupt: [string, string | Buffer][] = [
      ['not json', '{"format": 1, "packages": ['],
      ['another format', JSON.stringify({ ...before, format: 2 })],
      ['a relative path', JSON.stringify({ ...before, files: [{ ...dir('/'), path: 'etc/x' }] })],
      ['an extra field', JSON.stringify({ ...before, files: [{ ...dir('/'), script: 'x' }] })],
      ['a bad digest', JSON.stringify({ ...before, files: [{ ...file('/a', 'a'), sha256: 'zz' }] })],
      [
        'a number for a name',
        JSON.stringify({ ...before, packages: [{ name: 1, version: '1', arch: 'all' }] }),
      ],
      ['a prototype key', '{"format":1,"packages":[],"files":[],"__proto__":{"admin":true}}'],
    ];
    for (const [what, content] of corrupt) {
      const bad = await jobWithManifest(h, 'bad', content);
      const { status, body } = await get(h, `/jobs/${good.job.id}/diff/${bad.job.id}`);
      assert.equal(status, 409, what);
      assert.equal(body.error, 'conflict', what);
      assert.match(String(body.message), new RegExp(`manifest of job ${bad.job.id}`), what);
      assert.doesNotMatch(JSON.stringify(body), /at .*\.ts:\d+/, 'no stack trace');
    }
    // Past the bound, refused before it is read (a sparse file: no disk spent).
    const huge = await jobWithManifest(h, 'huge', '');
    truncateSync(huge.path, MAX_MANIFEST_BYTES + 1);
    const tooLarge = await get(h, `/jobs/${huge.job.id}/diff/${good.job.id}`);
    assert.equal(tooLarge.status, 409);
    assert.match(String(tooLarge.body.message), /larger than/);
    // A link where the manifest should be is not followed (a worker's upload cannot plant one, but a folder can).
    const linked = await jobWithManifest(h, 'linked', null);
    symlinkSync('/etc/passwd', linked.path);
    assert.equal((await get(h, `/jobs/${good.job.id}/diff/${linked.job.id}`)).status, 404);

    // A job still waiting has none yet; the client sees the 404 as an ApiError.
    const waiting = await h.jobs.submit(submission({ name: 'waiting' }), alice);
    const missing = await get(h, `/jobs/${good.job.id}/diff/${waiting.id}`);
    assert.equal(missing.status, 404);
    assert.match(String(missing.body.message), new RegExp(`job ${waiting.id} has no manifest`));
    const client = new ApiClient({
      server: await h.app.listen({ host: '127.0.0.1', port: 0 }),
      token: h.as.alice.authorization.slice('Bearer '.length),
    });
    const error = await client.diff(good.job.id, waiting.id).catch((e) => e);
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 404);
  });
  test('the manifests being compared at once are bounded: past the bound a diff is refused as busy, not computed', async (t) => {
    // Two manifests at the bound took ~0.9 GB of heap and ~2 s of the event loop here: a few users asking at
    // once must not take the web node down.
    const h = await harness(t, 'sqlite');
    const a = await jobWithManifest(h, 'before', JSON.stringify(before));
    const b = await jobWithManifest(h, 'after', JSON.stringify(after));
    const held = diffMemory.take(2 * MAX_MANIFEST_BYTES);
    assert.ok(held, 'the whole bound is free');
    try {
      const { status, body } = await get(h, `/jobs/${a.job.id}/diff/${b.job.id}`);
      assert.equal(status, 503);
      assert.equal(body.error, 'busy');
    } finally {
      held();
    }
    assert.equal((await get(h, `/jobs/${a.job.id}/diff/${b.job.id}`)).status, 200);
    // The bound is given back after each diff, answered or refused.
    assert.equal((await get(h, `/jobs/${a.job.id}/diff/01ARZ3NDEKTSV4RRFFQ69G5FAV`)).status, 404);
    const whole = diffMemory.take(2 * MAX_MANIFEST_BYTES);
    assert.ok(whole, 'nothing is left taken');
    whole();
  });
});

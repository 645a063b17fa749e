// The cache of apt's index files (apt-lists-cache.ts): a later update of the same sources starts from the
// lists of the last one, and still sees every change of the archive, however close in time.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type DebFile, resolveClosure } from '../../src/builder/apt-closure.ts';
import { runSteps } from '../../src/builder/runner.ts';
import { buildDeb, indexAptRepo, serveFolder, signingKey } from './apt-repo.ts';

const dir = await mkdtemp(join(tmpdir(), 'imger-apt-lists-'));
after(() => rm(dir, { recursive: true, force: true }));

/** A signed repository with one essential package (both of the closure's rounds then find it), served. */
async function probeRepo(name: string) {
  const base = join(dir, name);
  const repo = join(base, 'repo');
  const gnupg = join(base, 'gnupg');
  const keyring = join(base, 'key.asc');
  await writeFile(keyring, await signingKey(gnupg, 'imger-lists'));
  const publish = async (version: string) => {
    await rm(join(repo, 'pool'), { recursive: true, force: true });
    await buildDeb(repo, join(base, 'build'), {
      name: 'imger-probe',
      version,
      extra: 'Essential: yes\nPriority: required\n',
    });
    await indexAptRepo(repo, gnupg);
  };
  await publish('1.0');
  const server = await serveFolder(repo);
  after(server.close);
  const sourcesFile = join(base, 'sources.list');
  await writeFile(sourcesFile, `deb [signed-by=${keyring}] ${server.url} stable main\n`);
  const cache = join(base, 'cache');
  let runs = 0;
  /** resolveClosure in a fresh work folder, as a build's bootstrap step runs it, with the shared cache. */
  const resolve = async () => {
    const lines: string[] = [];
    let debs: DebFile[] = [];
    const workDir = join(base, `work-${++runs}`);
    await runSteps(
      [
        {
          name: 'bootstrap',
          timeoutMs: 60_000,
          run: async (ctx) => {
            debs = await resolveClosure(ctx, {
              sourcesFile,
              debianArch: 'amd64',
              suite: 'stable',
              packages: ['imger-probe'],
              workDir,
              listsCache: cache,
            });
          },
        },
      ],
      {},
      { deadlineMs: 60_000, onEvent: (event) => event.type === 'log' && lines.push(event.line) },
    );
    return { files: debs.map((deb) => deb.file), seeded: lines.some((l) => /apt starts from/.test(l)) };
  };
  return { repo, server, publish, resolve };
}

test('a changed archive is seen through the cached lists, even when it changed within the same second', async () => {
  const { repo, publish, resolve } = await probeRepo('changed');
  const first = await resolve();
  assert.deepEqual(first.files, ['imger-probe_1.0_all.deb']);
  assert.equal(first.seeded, false, 'nothing cached before the first update');
  // The archive changes, and its index files keep the modification times (whole seconds) of the first state:
  // an If-Modified-Since would be answered "not modified".
  const inRelease = join(repo, 'dists/stable/InRelease');
  const before = await stat(inRelease);
  await publish('2.0');
  for (const file of ['InRelease', 'Release', 'main/binary-amd64/Packages']) {
    await utimes(join(repo, 'dists/stable', file), before.atime, before.mtime);
  }
  const second = await resolve();
  assert.equal(second.seeded, true, 'the second update starts from the cached lists');
  assert.deepEqual(second.files, ['imger-probe_2.0_all.deb']);
});

test('an unchanged archive: only the InRelease is fetched again', async () => {
  const { server, resolve } = await probeRepo('unchanged');
  await resolve();
  const asked = server.requests.length;
  const again = await resolve();
  assert.equal(again.seeded, true);
  assert.deepEqual(again.files, ['imger-probe_1.0_all.deb']);
  assert.deepEqual(server.requests.slice(asked), ['/dists/stable/InRelease']);
});

test('a repository that fails to answer fails the update instead of leaving the cached lists in use', async () => {
  const { server, resolve } = await probeRepo('failing');
  await resolve();
  server.state.failing = true;
  await assert.rejects(resolve(), (error: Error) => {
    assert.equal(error.name, 'BuildFailure');
    return true;
  });
});

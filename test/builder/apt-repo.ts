// A signed apt repository of the tests' own (suite stable, component main, amd64), and a loopback server for
// a folder that answers If-Modified-Since as archive servers do (whole seconds).
import { createReadStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';
import { run } from '../../src/builder/exec.ts';

/** A throwaway signing key in a GnuPG home of its own; returns its armored public half. */
export async function signingKey(home: string, name: string): Promise<string> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  const gpg = ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', ''];
  await run('gpg', [...gpg, '--quick-gen-key', `${name} <${name}@imger.test>`, 'ed25519', 'sign', 'never']);
  return (await run('gpg', ['--homedir', home, '--armor', '--export'])).stdout;
}

/**
 * Writes (or rewrites) the indexes of `repo`, whose .debs are in `repo/pool`: Packages, Release and the
 * InRelease signed with the key in `gnupg`.
 */
export async function indexAptRepo(repo: string, gnupg: string): Promise<void> {
  await mkdir(join(repo, 'dists/stable/main/binary-amd64'), { recursive: true });
  const packages = await run('apt-ftparchive', ['packages', 'pool'], { cwd: repo, onLine: () => {} });
  await writeFile(join(repo, 'dists/stable/main/binary-amd64/Packages'), packages.stdout);
  const field = (name: string, value: string) => ['-o', `APT::FTPArchive::Release::${name}=${value}`];
  const release = await run(
    'apt-ftparchive',
    [
      ...field('Suite', 'stable'),
      ...field('Codename', 'stable'),
      ...field('Components', 'main'),
      ...field('Architectures', 'amd64'),
      'release',
      'dists/stable',
    ],
    { cwd: repo, onLine: () => {} },
  );
  await writeFile(join(repo, 'dists/stable/Release'), release.stdout);
  await run('gpg', [
    ...['--homedir', gnupg, '--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--yes'],
    ...['--clearsign', '-o', join(repo, 'dists/stable/InRelease'), join(repo, 'dists/stable/Release')],
  ]);
}

/** Builds `pool/NAME_VERSION_all.deb` in `repo` from a control file and a tree of files. */
export async function buildDeb(
  repo: string,
  work: string,
  control: { name: string; version: string; extra?: string },
  files: Record<string, string> = {},
): Promise<string> {
  const tree = join(work, `${control.name}-${control.version}`);
  await mkdir(join(tree, 'DEBIAN'), { recursive: true });
  await writeFile(
    join(tree, 'DEBIAN/control'),
    `Package: ${control.name}\nVersion: ${control.version}\nArchitecture: all\nMaintainer: imger tests <t@imger.test>\nDescription: a test package\n${control.extra ?? ''}`,
  );
  for (const [path, body] of Object.entries(files)) {
    await mkdir(join(tree, path, '..'), { recursive: true });
    await writeFile(join(tree, path), body, { mode: path.startsWith('DEBIAN/') ? 0o755 : 0o644 });
  }
  await mkdir(join(repo, 'pool'), { recursive: true });
  const deb = join(repo, `pool/${control.name}_${control.version}_all.deb`);
  await run('dpkg-deb', ['--root-owner-group', '--build', tree, deb], { onLine: () => {} });
  return deb;
}

/**
 * Serves a folder on the host's loopback (where the sandbox cannot reach; only the host's apt fetches), with
 * Last-Modified and If-Modified-Since in whole seconds. `requests` lists the paths asked for; while `failing`
 * is set, every request gets a 503, as from an overloaded mirror.
 */
export async function serveFolder(dir: string) {
  const requests: string[] = [];
  const state = { failing: false };
  const server = createServer((request, response) => {
    const path = join(dir, normalize(decodeURIComponent(new URL(request.url!, 'http://x').pathname)));
    requests.push(path.slice(dir.length));
    if (state.failing) {
      response.writeHead(503).end();
      return;
    }
    stat(path).then(
      (info) => {
        if (!info.isFile()) throw new Error('not a file');
        const modified = new Date(Math.floor(info.mtimeMs / 1000) * 1000);
        const since = Date.parse(request.headers['if-modified-since'] ?? '');
        if (!Number.isNaN(since) && modified.getTime() <= since) {
          response.writeHead(304).end();
          return;
        }
        response.writeHead(200, { 'content-length': info.size, 'last-modified': modified.toUTCString() });
        createReadStream(path).pipe(response);
      },
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

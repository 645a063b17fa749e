import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  onlyHostSources,
  parseDeb822Sources,
  parseOneLineSources,
  readHostSources,
  renderSourcesList,
  sourcesForSuite,
} from '../../src/builder/apt-sources.ts';

const deb822 = `Types: deb deb-src
# a comment inside the stanza
URIs: http://mirror.example/debian http://mirror2.example/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://mirror.example/debian
Suites: bookworm
Components: main

Types: deb
URIs: http://off.example/debian
Suites: bookworm
Components: main
Enabled: no

Types: deb
URIs: http://inline.example/debian
Suites: bookworm-security
Components: main
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 -----END PGP PUBLIC KEY BLOCK-----
`;

describe('apt sources', () => {
  test('one-line format: options, comments and deb-src', () => {
    const repos = parseOneLineSources(
      [
        '# comment',
        'deb [arch=amd64 signed-by=/k.gpg] http://a.example/debian bookworm main non-free # trailing',
        'deb-src http://a.example/debian bookworm main',
        'deb http://b.example/debian bookworm-updates main',
        '',
      ].join('\n'),
    );
    assert.deepEqual(repos, [
      {
        kind: 'apt',
        url: 'http://a.example/debian',
        suite: 'bookworm',
        components: ['main', 'non-free'],
        signedBy: '/k.gpg',
      },
      { kind: 'apt', url: 'http://b.example/debian', suite: 'bookworm-updates', components: ['main'] },
    ]);
  });

  test('deb822: every URI × suite of enabled deb stanzas; inline keys fall back to the default keyrings', () => {
    const repos = parseDeb822Sources(deb822);
    assert.deepEqual(
      repos.map((r) => `${r.url} ${r.suite} ${r.components.join(',')} ${r.signedBy ?? '-'}`),
      [
        'http://mirror.example/debian bookworm main,contrib /usr/share/keyrings/debian-archive-keyring.gpg',
        'http://mirror.example/debian bookworm-updates main,contrib /usr/share/keyrings/debian-archive-keyring.gpg',
        'http://mirror2.example/debian bookworm main,contrib /usr/share/keyrings/debian-archive-keyring.gpg',
        'http://mirror2.example/debian bookworm-updates main,contrib /usr/share/keyrings/debian-archive-keyring.gpg',
        'http://inline.example/debian bookworm-security main -',
      ],
    );
  });

  test('reads sources.list and sources.list.d like apt, ignoring files apt ignores', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imger-apt-'));
    after(() => rm(dir, { recursive: true, force: true }));
    await mkdir(join(dir, 'sources.list.d'));
    await writeFile(join(dir, 'sources.list'), 'deb http://one.example/debian bookworm main\n');
    await writeFile(
      join(dir, 'sources.list.d/b.sources'),
      'Types: deb\nURIs: http://three.example/d\nSuites: bookworm-security\nComponents: main\n',
    );
    await writeFile(
      join(dir, 'sources.list.d/a.list'),
      'deb http://two.example/debian bookworm-updates main\n',
    );
    await writeFile(
      join(dir, 'sources.list.d/c.list.disabled'),
      'deb http://never.example/debian bookworm main\n',
    );
    const repos = await readHostSources(dir);
    assert.deepEqual(
      repos.map((r) => r.url),
      ['http://one.example/debian', 'http://two.example/debian', 'http://three.example/d'],
    );
  });

  test('a missing /etc/apt gives no sources rather than an error', async () => {
    assert.deepEqual(await readHostSources('/nonexistent/apt'), []);
  });

  test('only the suite and its -updates/-security companions are used for an image', () => {
    const repos = parseOneLineSources(
      [
        'deb http://d.example/debian bookworm main',
        'deb http://d.example/debian bookworm-updates main',
        'deb http://s.example/debian-security bookworm-security main',
        'deb http://third.example/node nodistro main',
        'deb http://cloud.example/apt cloud-sdk-bookworm main',
      ].join('\n'),
    );
    assert.deepEqual(
      sourcesForSuite(repos, 'bookworm').map((r) => r.suite),
      ['bookworm', 'bookworm-updates', 'bookworm-security'],
    );
  });

  test('renders one-line entries mmdebstrap reads', () => {
    const text = renderSourcesList(parseDeb822Sources(deb822).slice(0, 1));
    assert.equal(
      text,
      'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian bookworm main contrib\n',
    );
  });
});

describe("only the host's own sources (the initramfs cache shares entries across package sets only then)", () => {
  const host = parseDeb822Sources(
    'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main\n',
  );
  const apt = (url: string, suite = 'bookworm') => ({
    kind: 'apt' as const,
    url,
    suite,
    components: ['main'],
  });

  test('the host sources for the suite, or some of them, with or without a trailing slash', () => {
    assert.equal(onlyHostSources(sourcesForSuite(host, 'bookworm'), host), true);
    assert.equal(onlyHostSources([apt('http://deb.debian.org/debian/')], host), true);
  });

  test("a user's repository beside them, or an address or suite that only looks like the host's, is not", () => {
    const hostOnes = sourcesForSuite(host, 'bookworm');
    for (const [what, repos] of [
      ['a repository added', [...hostOnes, apt('http://repo.example/debian')]],
      ['a longer path', [apt('http://deb.debian.org/debian-evil')]],
      ['a path that climbs out', [apt('http://deb.debian.org/debian/../evil')]],
      ['a user name that is the host', [apt('http://deb.debian.org@evil.example/debian')]],
      ['https instead of http', [apt('https://deb.debian.org/debian')]],
      ['another suite of the same archive', [apt('http://deb.debian.org/debian', 'trixie')]],
      [
        "the security archive's suite on the main archive",
        [apt('http://deb.debian.org/debian', 'bookworm-security')],
      ],
    ] as const) {
      assert.equal(onlyHostSources([...repos], host), false, what);
    }
  });
});

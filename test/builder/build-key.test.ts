import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type BuildKeyInputs,
  type BuildRequest,
  buildKey,
  KEYED_CODE_FOLDERS,
  resolveBuildKey,
} from '../../src/builder/build-key.ts';
import { tempDir } from '../service/helpers.ts';

const inputs: BuildKeyInputs = {
  kickstart: 'rootpw secret\n',
  type: 'fs',
  arch: 'x86_64',
  name: 'img',
  tokens: [['RELEASE', '1']],
  extraRepos: [],
  packages: ['bash'],
  builderVersion: 'v1',
  sources: [
    { kind: 'apt', url: 'http://d.example/debian', suite: 'bookworm', components: ['main'], sha256: 'a' },
  ],
};

/** A local apt archive: only its InRelease is read for the key. */
function archive(t: TestContext, release = 'Suite: bookworm\n'): string {
  const root = tempDir(t);
  mkdirSync(join(root, 'dists', 'bookworm'), { recursive: true });
  writeFileSync(join(root, 'dists', 'bookworm', 'InRelease'), release);
  return pathToFileURL(root).href;
}

function request(url: string, changes: Partial<BuildRequest> = {}): BuildRequest {
  return {
    kickstart: `repo --name=local --baseurl=${url} --suite=bookworm\nrootpw secret\n%packages\nbash\n%end\n`,
    type: 'fs',
    arch: 'x86_64',
    name: 'img',
    tokenmap: '',
    extraRepos: [],
    packages: [],
    gpgKeyDir: '',
    ...changes,
  };
}

const never = new AbortController().signal;

describe('build key', () => {
  test('is a full SHA-256 that every input changes', () => {
    const key = buildKey(inputs);
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.equal(buildKey({ ...inputs }), key);
    const changed: Partial<BuildKeyInputs>[] = [
      { kickstart: 'rootpw other\n' },
      { type: 'loop' },
      { arch: 'i686' },
      { name: 'img2' },
      { tokens: [['RELEASE', '2']] },
      { extraRepos: ['http://x.example/'] },
      { packages: ['bash', 'vim'] },
      { packages: ['-bash'] },
      { builderVersion: 'v2' },
      { sources: [{ ...inputs.sources[0]!, sha256: 'b' }] },
      { sources: [{ ...inputs.sources[0]!, components: ['main', 'contrib'] }] },
    ];
    const keys = new Set([key, ...changed.map((change) => buildKey({ ...inputs, ...change }))]);
    assert.equal(keys.size, changed.length + 1);
  });

  test('tokens count by name and value, not by the order they were given in', () => {
    const ab = buildKey({
      ...inputs,
      tokens: [
        ['A', '1'],
        ['B', '2'],
      ],
    });
    assert.equal(
      buildKey({
        ...inputs,
        tokens: [
          ['B', '2'],
          ['A', '1'],
        ],
      }),
      ab,
    );
  });

  test('a field cannot hold a neighbour: moving text across a boundary changes the key', () => {
    // Each pair would join to the same text in a naive concatenation.
    const pairs: [Partial<BuildKeyInputs>, Partial<BuildKeyInputs>][] = [
      [
        { type: 'fs', arch: 'x86_64' },
        { type: 'fsx', arch: '86_64' },
      ],
      [{ name: 'a","b' }, { name: 'a', tokens: [['b', '']] }],
      [{ packages: ['a,b'] }, { packages: ['a', 'b'] }],
      [{ packages: ['a\u0000b'] }, { packages: ['a', 'b'] }],
      [
        { extraRepos: ['x'], packages: [] },
        { extraRepos: [], packages: ['x'] },
      ],
      [
        { tokens: [['A', '1,B:2']] },
        {
          tokens: [
            ['A', '1'],
            ['B', '2'],
          ],
        },
      ],
      [{ kickstart: 'x", "fs' }, { kickstart: 'x' }],
    ];
    for (const [a, b] of pairs) {
      assert.notEqual(buildKey({ ...inputs, ...a }), buildKey({ ...inputs, ...b }), JSON.stringify([a, b]));
    }
  });

  test('resolved: the meaning counts, not the spelling', async (t) => {
    const url = archive(t);
    const { key, sources } = await resolveBuildKey(request(url), never);
    assert.equal(sources.length, 1);
    assert.equal(sources[0]?.kind, 'apt');
    const respelled = request(url, {
      kickstart: `# a comment\nrootpw   secret\nrepo --suite=bookworm --baseurl=${url} --name=local\n%packages\nbash\n%end\n`,
    });
    assert.equal((await resolveBuildKey(respelled, never)).key, key);
  });

  test('resolved: a different root password, token, package or source digest gives another key', async (t) => {
    const url = archive(t);
    const key = (await resolveBuildKey(request(url), never)).key;
    const others = [
      request(url, { kickstart: request(url).kickstart.replace('rootpw secret', 'rootpw secret2') }),
      request(url, { tokenmap: 'RELEASE:2' }),
      request(url, { packages: ['vim'] }),
      request(archive(t, 'Suite: bookworm\nDate: later\n')),
    ];
    for (const other of others) {
      assert.notEqual((await resolveBuildKey(other, never)).key, key);
    }
    // The same archive state again: the same key.
    assert.equal((await resolveBuildKey(request(url), never)).key, key);
  });

  test('resolved: a token in the text keeps its value in the key even when unused elsewhere', async (t) => {
    const url = archive(t);
    const ks = `repo --name=local --baseurl=${url} --suite=bookworm\nrootpw @PW@\n`;
    const one = await resolveBuildKey(request(url, { kickstart: ks, tokenmap: 'PW:a' }), never);
    const two = await resolveBuildKey(request(url, { kickstart: ks, tokenmap: 'PW:b' }), never);
    assert.notEqual(one.key, two.key);
  });
  test('the code version covers every folder of src/ the builder imports from', () => {
    // A change to the kickstart reader or to a file format of the contract makes other images from the same
    // request: their code is in the key, or an old image would be shared for a new one.
    const src = fileURLToPath(new URL('../../src/', import.meta.url));
    const imported = new Set<string>(['builder']);
    for (const file of readdirSync(join(src, 'builder'), { recursive: true }) as string[]) {
      if (!file.endsWith('.ts')) continue;
      for (const [, folder] of readFileSync(join(src, 'builder', file), 'utf8').matchAll(
        /from '(?:\.\.\/)+([a-z-]+)\//g,
      ))
        imported.add(folder!);
    }
    assert.ok(imported.has('kickstart'), 'the builder reads kickstarts');
    assert.deepEqual(
      [...imported].filter((folder) => !(KEYED_CODE_FOLDERS as readonly string[]).includes(folder)),
      [],
    );
  });
});

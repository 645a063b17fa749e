import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Repository,
  readRepositories,
  repositoryLine,
  savedRepoOptions,
} from '../../../src/kickstart/kickstarter/repositories.ts';
import { loadYaml } from '../../../src/kickstart/kickstarter/yaml.ts';

function repositories(text: string) {
  const document = loadYaml({ path: 'repos.yaml', text });
  assert.ok(document.ok);
  return readRepositories(document.value);
}

describe('readRepositories', () => {
  it('splices percent-encoded Username and Password into the URL', () => {
    const { repositories: table, errors } = repositories(
      'Repositories:\n  - Name: private\n    Url: https://repo.example.org/x/\n    Username: me@corp\n    Password: "a:b c"\n',
    );
    assert.deepEqual(errors, []);
    assert.equal(table.get('private')?.url, 'https://me%40corp:a%3Ab%20c@repo.example.org/x/');
  });

  it('reports entries it cannot use, with their line', () => {
    const { repositories: table, errors } = repositories(
      [
        'Repositories:',
        '  - Name: ok',
        '    Url: http://a/',
        '  - Name: ok',
        '    Url: http://b/',
        '  - Url: http://c/',
        '  - Name: relative',
        '    Url: repo/path',
        '    Username: me',
      ].join('\n'),
    );
    assert.deepEqual([...table.keys()], ['ok']);
    assert.deepEqual(
      errors.map((error) => [error.line, error.key, error.message]),
      [
        [4, 'Repositories', 'repository ok is defined twice'],
        [6, 'Repositories', 'each repository needs a Name and a Url'],
        [7, 'Repositories', 'repository relative: Username/Password need a Url of the form scheme://host/…'],
      ],
    );
  });

  it('needs a top-level Repositories list', () => {
    assert.deepEqual(repositories('Repos: []\n').errors, [
      {
        file: 'repos.yaml',
        line: 1,
        key: 'Repositories',
        message: 'repos file needs a top-level Repositories list',
      },
    ]);
  });
});

describe('repositoryLine', () => {
  const main: Repository = { name: 'main', url: 'http://r/@DIST@/@RELEASE@/@BUILD_ID@/@ARCH@/' };

  it('fills @ARCH@, @RELEASE@ and @DIST@ from the image and leaves @BUILD_ID@ for mic', () => {
    assert.equal(
      repositoryLine(main, { Architecture: 'armv7hl', Baseline: '1.1.80', Distribution: 'tizen' }),
      'repo --name=main --baseurl=http://r/tizen/1.1.80/@BUILD_ID@/armv7hl/',
    );
  });

  it('leaves a token alone when the image does not set its key', () => {
    assert.equal(
      repositoryLine(main, { Architecture: 'i586' }),
      'repo --name=main --baseurl=http://r/@DIST@/@RELEASE@/@BUILD_ID@/i586/',
    );
  });

  it('adds the saved-repo options only with SaveRepos, never to adobe, and per-repo Options replace them', () => {
    const plain: Repository = { name: 'core', url: 'http://r/' };
    const adobe: Repository = { name: 'adobe', url: 'http://a/' };
    const tuned: Repository = { name: 'tuned', url: 'http://t/', options: '--priority=10' };
    assert.equal(repositoryLine(plain, {}), 'repo --name=core --baseurl=http://r/');
    assert.equal(
      repositoryLine(plain, { SaveRepos: true }),
      `repo --name=core --baseurl=http://r/ ${savedRepoOptions}`,
    );
    assert.equal(repositoryLine(adobe, { SaveRepos: true }), 'repo --name=adobe --baseurl=http://a/');
    assert.equal(
      repositoryLine(tuned, { SaveRepos: true }),
      'repo --name=tuned --baseurl=http://t/ --priority=10',
    );
    assert.equal(repositoryLine(tuned, {}), 'repo --name=tuned --baseurl=http://t/ --priority=10');
  });

  it('quotes a URL that pykickstart would otherwise cut at # or split at a space', () => {
    assert.equal(
      repositoryLine({ name: 'odd', url: 'http://r/a b/#frag' }, {}),
      "repo --name=odd --baseurl='http://r/a b/#frag'",
    );
  });
});

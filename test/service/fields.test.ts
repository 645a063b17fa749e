import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  emailProblem,
  packageProblem,
  repoProblem,
  submissionProblems,
  tagProblem,
  tokenmapProblem,
  tokenNameProblem,
  unicodeProblem,
} from '../../src/service/fields.ts';

function sorts(rule: (value: string) => string | null, good: string[], bad: string[]) {
  for (const value of good) assert.equal(rule(value), null, JSON.stringify(value));
  for (const value of bad) assert.notEqual(rule(value), null, JSON.stringify(value));
}

test('e-mail: one plain address', () => {
  sorts(
    emailProblem,
    ['me@example.org', 'first.last+img@mail.example.co.uk', "o'brien@example.org"],
    [
      '',
      'me',
      'me@',
      '@example.org',
      'me@example.org\r\nBcc: x@example.org',
      'me@example.org\n',
      'a@example.org,b@example.org',
      'a@example.org; b@example.org',
      'Me <me@example.org>',
      '"me"@example.org',
      `${'a'.repeat(250)}@example.org`,
    ],
  );
});

test('tokenmap: no value may break a line, as Python splitlines() sees lines', () => {
  sorts(
    tokenmapProblem,
    ['', 'RELEASE:1.0', 'NAME:my image,URL:http://x.example/a:b'],
    [
      'RELEASE:1.0\n%include /x',
      'A:\r',
      'A:x\u000by',
      'A:x\u000cy',
      'A:x\u001cy',
      'A:x\u0085y',
      'A:x\u2028y',
      'A:x\u2029y',
      'A:x\u0000',
      'bad name:x',
    ],
  );
});

test('extra repositories: an http, https or ftp URL, then plain suite and component words', () => {
  sorts(
    repoProblem,
    [
      'http://repo.example.org/rpm/',
      'https://deb.debian.org/debian bookworm main contrib',
      'ftp://mirror.example.org/pub/',
      'http://user:pass@repo.example.org:8080/x?arch=amd64',
      'https://deb.example.org/debian stable/updates main',
    ],
    [
      '',
      '[trusted=yes] http://x.example/ bookworm main',
      'http://x.example/ [trusted=yes]',
      'file:///srv/mirror',
      'gopher://x.example/',
      'http://',
      'http://x.example/\nrepo --name=evil',
      'http://x.example/\tbookworm',
      'http://x.example/ bookworm --gpgkey=/x',
      "http://x.example/ 'quoted'",
      'http://[::1]/repo',
      'http://x.example/"q"',
    ],
  );
});

test('packages: names, exclusions, groups and environments as rpm and Debian write them', () => {
  sorts(
    packageProblem,
    [
      'bash',
      '-nano',
      'libstdc++6',
      'python3.11',
      'kernel*',
      'pkg:amd64',
      'vim=2:9.0',
      '@Base System',
      '-@x',
      '@^minimal',
      '@core --optional',
    ],
    ['', 'vim\nbash', '%post', '#comment', 'a b', '"vim"', 'vim;reboot', '$(id)', `${'a'.repeat(201)}`],
  );
});

test('tags, token names and text: no control characters, whole Unicode', () => {
  sorts(
    tagProblem,
    ['nightly', 'webhook:https://hooks.example.org/x', 'with space'],
    ['a\nb', 'a\u0000', 'x'.repeat(201)],
  );
  sorts(tokenNameProblem, ['laptop', 'CI of project X'], ['', '   ', 'a\r\nb', 'x'.repeat(101)]);
  sorts(unicodeProblem, ['plain', 'café ✓ 😀'], ['half \ud800 pair', 'low \udc00 first']);
});

test('a submission names each field it refuses, lists by index', () => {
  assert.deepEqual(
    submissionProblems({
      email: 'x',
      extraRepos: ['http://fine.example/', 'nope'],
      tags: ['ok', 'b\na'],
      packages: ['bash'],
    }).map((problem) => problem.field),
    ['email', 'extra_repos[1]', 'tags[1]'],
  );
  assert.deepEqual(submissionProblems({}), []);
});

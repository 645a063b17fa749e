import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quoteToken, splitLine } from '../../src/kickstart/lexer.ts';
import { seededRandom } from './random.ts';

function tokens(line: string): string[] {
  const result = splitLine(line);
  assert.ok(result.ok, `expected "${line}" to split`);
  return result.tokens;
}

function failure(line: string): string {
  const result = splitLine(line);
  assert.ok(!result.ok, `expected "${line}" to fail`);
  return result.error;
}

describe('splitLine', () => {
  it('splits on spaces, tabs and line ends', () => {
    assert.deepEqual(tokens('part  /boot\t--size=500\r'), ['part', '/boot', '--size=500']);
    assert.deepEqual(tokens('   '), []);
    assert.deepEqual(tokens(''), []);
  });

  it('reads single quotes literally', () => {
    assert.deepEqual(tokens(`rootpw 'a b\\c"d'`), ['rootpw', 'a b\\c"d']);
  });

  it('lets a backslash escape only a quote or a backslash inside double quotes', () => {
    assert.deepEqual(tokens(String.raw`x "a \"b\" \\ \n c"`), ['x', String.raw`a "b" \ \n c`]);
  });

  it('lets a backslash escape any character outside quotes', () => {
    assert.deepEqual(tokens(String.raw`x a\ b \#c \'`), ['x', 'a b', '#c', "'"]);
  });

  it('joins quoted and bare parts of one word', () => {
    assert.deepEqual(tokens(`--label='my disk'"s name"x`), ['--label=my disks namex']);
  });

  it('gives an empty token for an empty pair of quotes', () => {
    assert.deepEqual(tokens(`x '' "" y`), ['x', '', '', 'y']);
  });

  it('starts a comment at # outside quotes, even inside a word', () => {
    assert.deepEqual(tokens('repo --baseurl=http://x/#y z'), ['repo', '--baseurl=http://x/']);
    assert.deepEqual(tokens('# all comment'), []);
    assert.deepEqual(tokens(`x 'a#b' "c#d"`), ['x', 'a#b', 'c#d']);
  });

  it('reports unterminated quotes and a dangling backslash', () => {
    assert.equal(failure(`x 'abc`), 'unterminated quote');
    assert.equal(failure('x "abc'), 'unterminated quote');
    assert.equal(failure(String.raw`x "abc\"`), 'unterminated quote');
    assert.match(failure('x abc\\'), /backslash/);
  });
});

describe('splitLine without comments', () => {
  it("takes # for an ordinary character, as shlex.split(line) does for pykickstart's realm and authselect", () => {
    assert.deepEqual(splitLine('realm join x.example # AD', false), {
      ok: true,
      tokens: ['realm', 'join', 'x.example', '#', 'AD'],
    });
    assert.deepEqual(splitLine('a#b "c#d"', false), { ok: true, tokens: ['a#b', 'c#d'] });
    assert.deepEqual(splitLine("x # it's", false), { ok: false, error: 'unterminated quote' });
  });
});

describe('quoteToken', () => {
  it('leaves plain words bare and quotes the rest', () => {
    assert.equal(quoteToken('/boot'), '/boot');
    assert.equal(quoteToken('--size=500'), '--size=500');
    assert.equal(quoteToken(''), "''");
    assert.equal(quoteToken('a b'), "'a b'");
    assert.equal(quoteToken('$6$salt*'), '$6$salt*');
    assert.equal(quoteToken(`it's "x" \\`), `"it's \\"x\\" \\\\"`);
  });

  it('gives back every string splitLine reads unchanged', () => {
    const random = seededRandom(7);
    const alphabet = ['a', 'Z', '0', ' ', '\t', "'", '"', '\\', '#', '$', '=', '-', '%', '@', 'é', '*', ';'];
    for (let i = 0; i < 2000; i++) {
      const value = Array.from({ length: random.int(0, 12) }, () => random.pick(alphabet)).join('');
      assert.deepEqual(tokens(`cmd ${quoteToken(value)}`), ['cmd', value], JSON.stringify(value));
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { doubleQuoted, quoteToken } from '../../src/kickstart/lexer.ts';

describe('quoteToken', () => {
  it('leaves plain words bare', () => {
    assert.equal(quoteToken('en_US.UTF-8'), 'en_US.UTF-8');
    assert.equal(quoteToken('http://r/1.0/@ARCH@/?a=b&c=d'), 'http://r/1.0/@ARCH@/?a=b&c=d');
  });

  it('single-quotes values with spaces, # or double quotes', () => {
    assert.equal(quoteToken('two words'), "'two words'");
    assert.equal(quoteToken('pa#ss'), "'pa#ss'");
    assert.equal(quoteToken('say "hi"'), `'say "hi"'`);
    assert.equal(quoteToken('back\\slash'), "'back\\slash'");
  });

  it('double-quotes values holding a single quote, escaping only " and \\', () => {
    assert.equal(quoteToken(`it's "x" \\`), `"it's \\"x\\" \\\\"`);
  });

  it('writes an empty value as an empty pair of quotes, so it stays an argument', () => {
    assert.equal(quoteToken(''), "''");
  });
});

describe('doubleQuoted', () => {
  it('always quotes, as kickstarter did for --append and --session', () => {
    assert.equal(doubleQuoted('quiet'), '"quiet"');
  });
});

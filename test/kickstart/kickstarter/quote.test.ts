import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { doubleQuoted, quoteValue } from '../../../src/kickstart/kickstarter/quote.ts';

describe('quoteValue', () => {
  it('leaves plain words bare', () => {
    assert.equal(quoteValue('en_US.UTF-8'), 'en_US.UTF-8');
    assert.equal(quoteValue('http://r/1.0/@ARCH@/?a=b&c=d'), 'http://r/1.0/@ARCH@/?a=b&c=d');
  });

  it('single-quotes values with spaces, # or double quotes', () => {
    assert.equal(quoteValue('two words'), "'two words'");
    assert.equal(quoteValue('pa#ss'), "'pa#ss'");
    assert.equal(quoteValue('say "hi"'), `'say "hi"'`);
    assert.equal(quoteValue('back\\slash'), "'back\\slash'");
  });

  it('double-quotes values holding a single quote, escaping only " and \\', () => {
    assert.equal(quoteValue(`it's "x" \\`), `"it's \\"x\\" \\\\"`);
  });

  it('writes an empty value as an empty pair of quotes, so it stays an argument', () => {
    assert.equal(quoteValue(''), "''");
  });
});

describe('doubleQuoted', () => {
  it('always quotes, as kickstarter did for --append and --session', () => {
    assert.equal(doubleQuoted('quiet'), '"quiet"');
  });
});

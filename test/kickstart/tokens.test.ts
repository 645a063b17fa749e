import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseKickstart } from '../../src/kickstart/parser.ts';
import { parseTokenMap, substituteTokens, withDefaultTokens } from '../../src/kickstart/tokens.ts';

function tokenMap(spec: string): Map<string, string> {
  const result = parseTokenMap(spec);
  assert.ok(result.ok, spec);
  return result.tokens;
}

describe('parseTokenMap', () => {
  it('reads TOKEN:VALUE pairs, a value keeping any further colons', () => {
    assert.deepEqual(
      [...tokenMap('RELEASE:4.6.1,URL:http://x:8080/y,EMPTY:')],
      [
        ['RELEASE', '4.6.1'],
        ['URL', 'http://x:8080/y'],
        ['EMPTY', ''],
      ],
    );
    assert.deepEqual([...tokenMap('  ')], []);
  });

  it('refuses malformed entries, naming them', () => {
    assert.deepEqual(parseTokenMap('RELEASE'), {
      ok: false,
      error: 'tokenmap entry "RELEASE" is not TOKEN:VALUE',
    });
    assert.deepEqual(parseTokenMap(':x'), { ok: false, error: 'tokenmap entry ":x" is not TOKEN:VALUE' });
    assert.deepEqual(parseTokenMap('A-B:x'), {
      ok: false,
      error: 'tokenmap name "A-B" may hold only letters, digits and _',
    });
  });
});

describe('withDefaultTokens', () => {
  it("adds mic's defaults: RELEASE=latest, BUILD_ID=RELEASE, ARCH from the build", () => {
    assert.deepEqual(Object.fromEntries(withDefaultTokens(new Map())), {
      RELEASE: 'latest',
      BUILD_ID: 'latest',
    });
    assert.deepEqual(Object.fromEntries(withDefaultTokens(tokenMap('RELEASE:5.0'), 'aarch64')), {
      RELEASE: '5.0',
      BUILD_ID: '5.0',
      ARCH: 'aarch64',
    });
  });

  it('lets given values win', () => {
    const tokens = withDefaultTokens(tokenMap('BUILD_ID:20260101,ARCH:i586'), 'x86_64');
    assert.deepEqual(Object.fromEntries(tokens), { BUILD_ID: '20260101', ARCH: 'i586', RELEASE: 'latest' });
  });
});

describe('substituteTokens', () => {
  it('replaces known tokens and leaves unknown ones and stray @ alone', () => {
    const tokens = tokenMap('RELEASE:5.0,ARCH:armv7hl');
    assert.equal(
      substituteTokens('http://r/@RELEASE@/@ARCH@/@UNKNOWN@ root@host @@ @RELEASE', tokens),
      'http://r/5.0/armv7hl/@UNKNOWN@ root@host @@ @RELEASE',
    );
  });

  it('happens before parsing, in included files too', () => {
    const tokens = withDefaultTokens(new Map(), 'x86_64');
    const read = () => ({ ok: true as const, file: 'inc.ks', content: 'lang @LANG@\n' });
    const result = parseKickstart('repo --name=r --baseurl=http://r/@RELEASE@/@ARCH@\n%include inc.ks\n', {
      tokens: new Map([...tokens, ['LANG', 'fi_FI']]),
      readInclude: read,
    });
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.kickstart.commands[0]!.options.baseurl, 'http://r/latest/x86_64');
    assert.deepEqual(result.kickstart.commands[1]!.args, ['fi_FI']);
  });
});

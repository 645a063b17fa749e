import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagnosticList } from '../../src/kickstart/diagnostics.ts';
import { parseKickstart } from '../../src/kickstart/parser.ts';
import { DEFAULT_MAX_BYTES, decodeLines } from '../../src/kickstart/source.ts';

function bytes(...parts: (string | number[])[]): Uint8Array {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
}

function report(input: string | Uint8Array, maxBytes?: number): string[] {
  return parseKickstart(input, { file: 'x.ks', ...(maxBytes !== undefined && { maxBytes }) }).diagnostics.map(
    (d) => `${d.file}:${d.line} ${d.severity} ${d.message}`,
  );
}

describe('decoding', () => {
  it('reports text that is not UTF-8 at its line (decoding comes first) and still checks the other lines', () => {
    const input = bytes('lang en_US\n', 'rootpw ', [0xff, 0xfe], '\n', 'frobnicate\n', [0xc3], '\n');
    assert.deepEqual(report(input), [
      'x.ks:2 error the text is not valid UTF-8',
      'x.ks:4 error the text is not valid UTF-8',
      'x.ks:3 error unknown command "frobnicate"',
    ]);
  });

  it('reports a NUL byte at its line, in bytes or in text', () => {
    const expected = ['x.ks:2 error the line holds a NUL byte', 'x.ks:3 error unknown command "frobnicate"'];
    assert.deepEqual(report(bytes('lang en_US\n', 'lang\0 fi\n', 'frobnicate\n')), expected);
    assert.deepEqual(report('lang en_US\r\nlang\0 fi\r\nfrobnicate'), expected);
  });

  it('refuses a file over the size limit, counting bytes, not characters', () => {
    assert.equal(DEFAULT_MAX_BYTES, 1024 * 1024);
    const big = `# ${'x'.repeat(DEFAULT_MAX_BYTES)}\n`;
    assert.deepEqual(report(big), [
      `x.ks:1 error the file is ${DEFAULT_MAX_BYTES + 3} bytes, over the limit of ${DEFAULT_MAX_BYTES} bytes for a kickstart`,
    ]);
    assert.deepEqual(report('# éé\n', 6), [
      'x.ks:1 error the file is 7 bytes, over the limit of 6 bytes for a kickstart',
    ]);
    assert.deepEqual(report('# éé\n', 7), []);
  });

  it('drops a byte order mark', () => {
    const result = parseKickstart(bytes([0xef, 0xbb, 0xbf], 'lang en_US\n'));
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.kickstart.commands[0]!.name, 'lang');
    assert.deepEqual(parseKickstart('\ufefflang en_US').diagnostics, []);
  });

  it('splits lines on LF, CRLF and CR, keeping numbers right', () => {
    const diagnostics = new DiagnosticList();
    assert.deepEqual(decodeLines('a\r\nb\rc\n\nd', 'x.ks', 100, diagnostics), ['a', 'b', 'c', '', 'd']);
    assert.deepEqual(decodeLines('a\n', 'x.ks', 100, diagnostics), ['a']);
    assert.deepEqual(decodeLines('', 'x.ks', 100, diagnostics), []);
    assert.deepEqual(diagnostics.items, []);
    assert.deepEqual(report('lang en_US\r\n\r\nfrobnicate\r\n'), [
      'x.ks:3 error unknown command "frobnicate"',
    ]);
  });

  it('counts a lone CR as a line end in undecodable text too, as the parser does', () => {
    const input = bytes('lang en_US\r', 'frobnicate\r\n', [0xff], '\r', 'bogus\n');
    assert.deepEqual(report(input), [
      'x.ks:3 error the text is not valid UTF-8',
      'x.ks:2 error unknown command "frobnicate"',
      'x.ks:4 error unknown command "bogus"',
    ]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMicHeader, writeMicHeader } from '../../src/kickstart/mic-header.ts';
import type { MicOptions } from '../../src/kickstart/model.ts';

function options(line: string): MicOptions {
  const header = parseMicHeader(line);
  assert.ok(header.found && 'options' in header, line);
  return header.options;
}

describe('parseMicHeader', () => {
  it("reads mic's header: the image type first, then options", () => {
    assert.deepEqual(
      options('# -*-mic-options-*- loop --arch=armv7hl --pack-to=@NAME@.tar.gz -*-mic-options-*-'),
      {
        dialect: 'mic',
        imageType: 'loop',
        arch: 'armv7hl',
        args: ['loop', '--arch=armv7hl', '--pack-to=@NAME@.tar.gz'],
      },
    );
  });

  it("reads mic2's header: the type after -f or --format", () => {
    assert.deepEqual(
      options('#-*-mic2-options-*- -f livecd --record-pkgs=name -A i586 -*-mic2-options-*-  '),
      {
        dialect: 'mic2',
        imageType: 'livecd',
        arch: 'i586',
        args: ['-f', 'livecd', '--record-pkgs=name', '-A', 'i586'],
      },
    );
    assert.equal(options('# -*-mic2-options-*- --format=raw -*-mic2-options-*-').imageType, 'raw');
    assert.equal(options('# -*-mic2-options-*- raw -*-mic2-options-*-').imageType, null);
  });

  it('keeps quotes and takes # literally', () => {
    assert.deepEqual(options(`# -*-mic-options-*- fs --x='a b' --y=c#d -*-mic-options-*-`).args, [
      'fs',
      '--x=a b',
      '--y=c#d',
    ]);
  });

  it('is absent from other lines and unclosed or mismatched ones are reported', () => {
    assert.deepEqual(parseMicHeader('# just a comment'), { found: false });
    assert.deepEqual(parseMicHeader('lang en_US'), { found: false });
    const unclosed = {
      found: true,
      error: 'the mic options header is not closed by the same -*-mic-options-*- marker',
    };
    assert.deepEqual(parseMicHeader('# -*-mic-options-*- fs'), unclosed);
    assert.deepEqual(parseMicHeader('# -*-mic-options-*- fs -*-mic2-options-*-'), unclosed);
    assert.deepEqual(parseMicHeader(`# -*-mic-options-*- fs 'x -*-mic-options-*-`), {
      found: true,
      error: 'mic options header: unterminated quote',
    });
  });
});

describe('writeMicHeader', () => {
  it('writes a header that reads back the same', () => {
    for (const line of [
      '# -*-mic-options-*- fs --arch=armv7hl -*-mic-options-*-',
      '# -*-mic2-options-*- -f raw -*-mic2-options-*-',
      `# -*-mic-options-*- fs --x='a b' --y=c#d '#' "it's" '' -*-mic-options-*-`,
      '# -*-mic-options-*- -*-mic-options-*-',
    ]) {
      const read = options(line);
      assert.deepEqual(options(writeMicHeader(read)), read, line);
    }
    assert.equal(
      writeMicHeader({ dialect: 'mic', imageType: 'fs', arch: null, args: ['fs', 'a b', 'c#d'] }),
      "# -*-mic-options-*- fs 'a b' c#d -*-mic-options-*-",
    );
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { imageTypes } from '../../src/builder/image-types.ts';
import { imageUse } from '../../src/builder/image-usage.ts';

test('every image type says how to use it, naming its file', () => {
  for (const type of imageTypes) {
    const use = imageUse(type, 'x86_64', `disk.${type}`);
    assert.ok(use.how.length > 20, type);
    assert.ok(
      use.commands.some((line) => line.includes(`disk.${type}`)),
      type,
    );
  }
  assert.match(imageUse('raw', 'i686', 'a.raw').commands.join('\n'), /qemu-system-i386 /);
  assert.match(
    imageUse('qcow2', 'x86_64', 'a.qcow2').commands.join('\n'),
    /-bios \/usr\/share\/ovmf\/OVMF\.fd/,
  );
});

test('a hostile file name stays one word in every command line: nothing runs, nothing else is named', () => {
  const planted = join(tmpdir(), `img-pwned-${process.pid}`);
  const hostile = `x'; touch ${planted}; echo '$(id)\`id\` a b,if=none.raw`;
  for (const type of imageTypes) {
    for (const line of imageUse(type, 'x86_64', hostile).commands) {
      if (!line.includes('img-pwned')) continue;
      // The shell's own reading of the line: the name must come back whole, as one argument.
      const words = execFileSync('bash', ['-c', `printf '%s\\n' ${line.replace(/^\S+/, '')}`], {
        encoding: 'utf8',
      });
      const named = words.split('\n').filter((word) => word.includes('img-pwned'));
      assert.equal(named.length, 1, `${type}: ${line} → ${JSON.stringify(words)}`);
      const word = named[0] ?? '';
      // In qemu's -drive the name's comma is doubled, so qemu reads it as part of the name, not as if=none.
      const asDrive =
        word.startsWith(`file=${hostile.replaceAll(',', ',,')},format=`) && word.endsWith(',if=virtio');
      assert.ok(word.includes(hostile) || asDrive, `${type}: ${word}`);
    }
  }
  assert.equal(existsSync(planted), false, 'the touch in the name never ran');
});

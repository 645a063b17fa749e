// Output read as lines with a bound: what a program writes comes out whole, in its lines, however it is chunked;
// a line without end comes out in pieces of the bound instead of filling the reader's memory.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { run } from '../../src/builder/exec.ts';
import { lineSplitter, MAX_LINE_CHARS } from '../../src/builder/line-splitter.ts';

function split(chunks: string[], max?: number): string[] {
  const lines: string[] = [];
  const splitter = lineSplitter((line) => lines.push(line), max);
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

test('lines come out as written, whatever the chunks, empty lines and the unended last one included', () => {
  const text = 'one\n\ntwo\nthree';
  const expected = ['one', '', 'two', 'three'];
  assert.deepEqual(split([text]), expected);
  assert.deepEqual(split([...text]), expected);
  assert.deepEqual(split(['on', 'e\n', '\ntw', 'o\nthr', 'ee']), expected);
  assert.deepEqual(split(['a\n']), ['a']);
});

test('a line longer than the bound comes out in pieces of the bound, ended or not', () => {
  assert.deepEqual(split(['abcdefg\nxy'], 3), ['abc', 'def', 'g', 'xy']);
  assert.deepEqual(split(['ab', 'cd', 'ef', 'gh'], 3), ['abc', 'def', 'gh']);
  assert.deepEqual(split(['abcdef\n'], 3), ['abc', 'def']);
});

test('a program that never ends a line cannot grow its reader past the bound', async () => {
  let pieces = 0;
  let longest = 0;
  let total = 0;
  // 8 MiB without a newline.
  await run('sh', ['-c', 'head -c 8388608 /dev/zero | tr "\\0" x'], {
    onLine: (line) => {
      pieces += 1;
      longest = Math.max(longest, line.length);
      total += line.length;
    },
  });
  assert.equal(total, 8 * 1024 * 1024);
  assert.equal(longest, MAX_LINE_CHARS);
  assert.equal(pieces, total / MAX_LINE_CHARS);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type ChildMessage,
  encodeMessage,
  parseBuildOrder,
  parseChildLine,
} from '../../../src/service/worker/child-protocol.ts';

test('a protocol message survives the trip through a stdout line', () => {
  const messages = [
    { type: 'started', pid: 42 },
    { type: 'log', step: 'bootstrap', line: 'I: extracting archives...' },
    {
      type: 'progress',
      step: 'packages',
      index: 2,
      total: 3,
      steps: ['bootstrap', 'packages', 'disk'],
      packages: { done: 10, total: 69 },
    },
    { type: 'result', ok: false, error: { class: 'package-not-found', message: 'packages: no foo' } },
  ] satisfies ChildMessage[];
  for (const message of messages) {
    const line = encodeMessage(message);
    assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'));
    assert.deepEqual(parseChildLine(line.slice(0, -1)), message);
  }
});

test('anything else a child prints is plain text for the log', () => {
  for (const line of [
    'Traceback (most recent call last):',
    '{"not": "a message"}',
    '{"type":"other"}',
    '{broken',
  ]) {
    assert.equal(parseChildLine(line), null);
  }
});

test('a message of a known type but the wrong shape is text, not acted upon', () => {
  for (const line of [
    '{"type":"started","pid":"1; rm -rf /"}',
    '{"type":"started","pid":0}',
    '{"type":"progress","step":"../../etc","index":1,"total":1,"steps":["resolve"]}',
    '{"type":"progress","step":"resolve","index":1,"total":1}',
    '{"type":"progress","step":"resolve","index":1,"total":1,"steps":["resolve"],"packages":{"done":-1,"total":2}}',
    '{"type":"result","ok":true}',
    '{"type":"result","ok":false,"error":{"class":7}}',
    '{"type":"log","line":["a"]}',
  ]) {
    assert.equal(parseChildLine(line), null, line);
  }
});

test('an order that is not one is refused naming the field', () => {
  assert.throws(
    () => parseBuildOrder('{"job":{}}'),
    /build order is not valid: \/outputDir Expected required property/,
  );
  assert.throws(() => parseBuildOrder('not json'), /build order is not valid/);
});

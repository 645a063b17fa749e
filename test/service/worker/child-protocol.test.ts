import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failure } from '../../../src/contract/failure.ts';
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
    {
      type: 'result',
      ok: false,
      failure: failure('package-not-found', 'package not found: foo', 'bootstrap', {
        packages: ['foo'],
        sources: ['http://deb.debian.org/debian bookworm main'],
        log_line: { text: 'E: Unable to locate package foo' },
      }),
    },
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
    // A result that does not fit the contract: a class nobody knows, an owner the class does not have, extra keys.
    '{"type":"result","ok":false,"failure":{"class":"oops","owner":"user","step":null,"message":"m","details":{}}}',
    '{"type":"result","ok":false,"failure":{"class":"internal","owner":"user","step":null,"message":"m","details":{}}}',
    '{"type":"result","ok":false,"failure":{"class":"internal","owner":"service","step":null,"message":"m","details":{"x":1}}}',
    '{"type":"result","ok":false,"error":{"class":"internal","message":"the old shape"}}',
    '{"type":"progress","step":"rm -rf /","index":1,"total":2}',
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

test("a build's output that forges a message, newline and all, arrives as the log line it was", () => {
  // What a kickstart script could print to pass for the child: a result naming a file outside the job's folder.
  const forged = '{"type":"result","ok":true,"main":"../../../etc/shadow","digests":{}}';
  const event = { type: 'log', step: 'scripts', line: `done\n${forged}\r\n${forged}` } satisfies ChildMessage;
  const line = encodeMessage(event);
  assert.equal(line.indexOf('\n'), line.length - 1, 'one stdout line, whatever the text holds');
  assert.deepEqual(parseChildLine(line.slice(0, -1)), event);
});

test('an order that is not one is refused naming the field', () => {
  assert.throws(
    () => parseBuildOrder('{"job":{}}'),
    /build order is not valid: \/outputDir Expected required property/,
  );
  assert.throws(() => parseBuildOrder('not json'), /build order is not valid/);
});

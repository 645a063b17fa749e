import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeMessage, parseChildLine } from '../../../src/service/worker/child-protocol.ts';

test('a protocol message survives the trip through a stdout line', () => {
  const messages = [
    { type: 'started', pid: 42 },
    { type: 'log', step: 'bootstrap', line: 'I: extracting archives...' },
    { type: 'progress', step: 'packages', index: 3, total: 7, packages: { done: 10, total: 69 } },
    { type: 'result', ok: false, error: { class: 'package-not-found', message: 'packages: no foo' } },
  ] as const;
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

import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { progressView } from '../../src/cli/client/progress-bar.ts';
import type { Job } from '../../src/client/api-client.ts';

const base = {
  id: 'JOB1',
  status: 'IN QUEUE',
  created: new Date().toISOString(),
  started: null,
  progress: null,
  blocked: null,
  eta: null,
  queue_position: 1,
} as unknown as Job;
const building = {
  ...base,
  status: 'BUILDING',
  started: new Date().toISOString(),
  queue_position: null,
  progress: {
    step: 'bootstrap',
    index: 2,
    total: 4,
    steps: ['resolve', 'bootstrap', 'packages', 'disk'],
    step_started: new Date().toISOString(),
  },
} as Job;

function terminal(): { stream: NodeJS.WriteStream; output: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream;
  let text = '';
  (stream as unknown as PassThrough).on('data', (chunk) => (text += chunk));
  Object.assign(stream, { isTTY: true, columns: 120 });
  return { stream, output: () => text };
}

test('the amount of the running step is shown: packages, else bytes', async () => {
  const { stream, output } = terminal();
  const view = progressView(stream);
  const bytes = { done: 3 * 1024 ** 3, total: 12 * 1024 ** 3 };
  view.show({ ...building, progress: { ...building.progress!, step: 'disk', index: 4, bytes } } as Job);
  view.stop();
  assert.match(output(), /step 4\/4 disk \(3\.00 GiB of 12\.0 GiB\)/);
  // Three whole steps of four, and a quarter of the fourth.
  assert.match(output(), / 81% /);
});

test('on a terminal the bar fills with the steps and names the running one', async () => {
  const { stream, output } = terminal();
  const view = progressView(stream);
  // The bar redraws at most ten times a second; the CLI polls every two seconds.
  view.show(base);
  await sleep(150);
  view.show(building);
  await sleep(150);
  view.show({ ...building, status: 'DONE' } as Job);
  view.stop();
  assert.match(output(), /IN QUEUE #1 \[/);
  assert.match(output(), /BUILDING step 2\/4 bootstrap \[[^\]]*\] 25%/);
  assert.match(output(), /100%/);
});

test('off a terminal, one plain line per change of state or step, none per repeat', () => {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream;
  let text = '';
  (stream as unknown as PassThrough).on('data', (chunk) => (text += chunk));
  const view = progressView(stream);
  view.show({ ...base, blocked: { reason: 'no-worker', message: 'no worker serves queue web' } } as Job);
  view.show(building);
  view.show(building);
  view.show({ ...building, status: 'DONE' } as Job);
  assert.equal(text, 'JOB1: IN QUEUE #1 (no worker serves queue web)\nJOB1: BUILDING step 2/4 bootstrap\n');
  assert.ok(!text.includes('\u001b'), 'no escape codes in a plain log');
});

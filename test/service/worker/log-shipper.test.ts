// The live log's way from a remote worker to the web node, against a stand-in web node whose answers the test
// chooses: outages must cost nothing but time, and a refusal must stop the shipping without failing anything.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, truncateSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOG_CHUNK_MAX_BYTES } from '../../../src/contract/api.ts';
import { readSmallBody } from '../../../src/service/api/small-body.ts';
import type { ServiceError } from '../../../src/service/errors.ts';
import { writeLogChunk } from '../../../src/service/jobs/file-writes.ts';
import { shipLog } from '../../../src/service/worker/log-shipper.ts';
import { tempDir } from '../helpers.ts';

type Answer = 'drop' | 'unavailable' | 'refuse' | 'store';

/**
 * A web node that stores chunks as the real one does, after the answers `script` gives for the first requests
 * (then it stores); `offsets` records where each chunk it was sent starts.
 */
async function webNode(t: TestContext, script: Answer[]) {
  const path = join(tempDir(t), 'remote.log');
  const offsets: number[] = [];
  let answered = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const answer = script.shift() ?? 'store';
    const reply = (status: number, body: unknown) => {
      answered += 1;
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (answer === 'drop') return void response.destroy();
    if (answer === 'unavailable') return reply(503, { error: 'internal', message: 'restarting' });
    if (answer === 'refuse') return reply(409, { error: 'conflict', message: 'job requeued' });
    const offset = Number(request.headers['x-img-offset']);
    offsets.push(offset);
    void readSmallBody(request, LOG_CHUNK_MAX_BYTES)
      .then((chunk) => writeLogChunk(path, offset, chunk))
      .then(
        (size) => reply(200, { size }),
        (error: ServiceError) =>
          reply(409, { error: error.code, message: error.message, details: error.details }),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, path, offsets, answered: () => answered, stored: () => readFileSync(path, 'utf8') };
}

function localLog(t: TestContext) {
  const path = join(tempDir(t), 'test.log');
  return { path, write: (text: string) => appendFileSync(path, text) };
}

/** Ships job J1's local log to the stand-in web node; the contexts of the errors reported go to `errors`. */
function ship(node: { url: string }, local: { path: string }, errors: string[] = []) {
  return shipLog(
    { url: node.url, token: 'admin-token' },
    { jobId: 'J1', workerId: 'w1', path: local.path },
    (_error, context) => errors.push(context),
  );
}

test('a log written while the web node is away reaches it whole once it is back, each byte once', async (t) => {
  const node = await webNode(t, ['drop', 'unavailable']);
  const local = localLog(t);
  const errors: string[] = [];
  const shipper = ship(node, local, errors);
  for (let line = 1; line <= 20; line += 1) {
    local.write(`line ${line}\n`);
    await sleep(20);
  }
  await until(() => node.offsets.length > 0, 'the shipper tries again after the outage');
  local.write('the last line\n');
  await shipper.finish();
  const expected = readFileSync(local.path, 'utf8');
  assert.equal(node.stored(), expected);
  assert.deepEqual(errors, ['the live log of job J1 cannot be sent; retrying'], 'reported once per outage');
  assert.deepEqual(
    node.offsets,
    [...new Set(node.offsets)].sort((a, b) => a - b),
    'in order, none resent',
  );
});

test('a web node that lost what it stored gets the log again from where its copy stops', async (t) => {
  const node = await webNode(t, []);
  const local = localLog(t);
  const shipper = ship(node, local);
  local.write('line 1\n');
  await until(
    () => node.answered() === 1 && existsSync(node.path) && node.stored() === 'line 1\n',
    'the first line is stored and answered',
  );
  // As if the web node's copy were lost: the next chunk leaves a gap, answered with the size it has.
  truncateSync(node.path, 0);
  local.write('line 2\n');
  await shipper.finish();
  assert.equal(node.stored(), 'line 1\nline 2\n');
  assert.deepEqual(node.offsets, [0, 7, 0]);
});

test('a refusal ends the shipping at once, reported, and the build goes on', async (t) => {
  const node = await webNode(t, ['refuse']);
  const local = localLog(t);
  const errors: string[] = [];
  const shipper = ship(node, local, errors);
  local.write('line 1\n');
  await until(() => errors.length > 0, 'the refusal is reported');
  local.write('line 2\n');
  await shipper.finish();
  assert.deepEqual(errors, ['the web node refuses the live log of job J1; it gets the log at the end']);
  assert.deepEqual(node.offsets, [], 'nothing sent after the refusal, not even at the end');
});

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    assert.ok(Date.now() < deadline, what);
    await sleep(50);
  }
}

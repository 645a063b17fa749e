// The submit page's command-line equivalents, run for real: bash runs the `imger submit` line (the CLI itself)
// and the `curl` line (curl itself) against a server that keeps what they send, and each must send exactly the
// JSON the page would, hostile values included: quoting that lets a value out would change or run something.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { shellWord } from '../../src/contract/shell-quote.ts';
import { commandLines } from '../../src/web/pages/submit/command-lines.ts';
import { emptyDraft, type SubmitDraft, submitJson } from '../../src/web/pages/submit/draft.ts';

const imger = resolve(import.meta.dirname, '../../bin/imger.js');
const HOSTILE = ["'; rm -rf ~", '$(id)', '`id`', 'two\nlines', '"$HOME" \\ \'\'', '-rf', '*', '~'];

let server: Server;
let url: string;
const bodies: unknown[] = [];
let workDir: string;

before(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/api/v1/jobs') bodies.push(JSON.parse(text));
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'bad-request', message: 'kept, not queued' }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  workDir = mkdtempSync(join(tmpdir(), 'img-command-lines-'));
});

after(async () => {
  await new Promise((done) => server.close(done));
  rmSync(workDir, { recursive: true, force: true });
});

/** Runs a line in bash in the work folder; `imger` is the CLI of this checkout. */
function runLine(line: string): Promise<{ code: number; stderr: string }> {
  const script = `imger() { node ${shellWord(imger)} "$@"; }\n${line}\n`;
  return new Promise((done) => {
    execFile(
      'bash',
      ['-c', script],
      { cwd: workDir, env: { ...process.env, IMG_TOKEN: 'test-token', HOME: workDir } },
      (error, _stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

async function sentBy(line: string): Promise<unknown> {
  bodies.length = 0;
  const run = await runLine(line);
  assert.notEqual(run.code, 0, 'the server refused, so the command fails');
  assert.equal(bodies.length, 1, `one submit reached the server: ${run.stderr}`);
  return bodies[0];
}

const hostileDraft: SubmitDraft = {
  ...emptyDraft,
  type: 'raw',
  arch: 'x86_64',
  queue: HOSTILE[0] ?? '',
  name: HOSTILE[1] ?? '',
  email: HOSTILE[2] ?? '',
  tokens: {},
  otherTokens: `A:${HOSTILE.join('|')}`,
  repos: [...HOSTILE],
  packages: '-nano, $(touch pwned), `touch pwned`',
  tags: "x'y, $(id)",
  pinned: true,
  fresh: true,
};

describe('the submit command lines', () => {
  it('quote words so that bash reads back exactly the value', async () => {
    const printed = await new Promise<string>((done, fail) =>
      execFile('bash', ['-c', `printf '%s\\0' ${HOSTILE.map(shellWord).join(' ')}`], (error, stdout) =>
        error ? fail(error) : done(stdout),
      ),
    );
    assert.deepEqual(printed.split('\0').slice(0, -1), HOSTILE);
    assert.equal(shellWord('plain-word_1.0/x=y'), 'plain-word_1.0/x=y', 'a plain word stays as it is');
    assert.equal(shellWord(''), "''", 'an empty value is still a word');
  });

  it('send a template job with hostile values exactly as the page would, from imger and from curl', async () => {
    const draft: SubmitDraft = { ...hostileDraft, source: 'template', template: 'debian-minimal' };
    const expected = submitJson(draft);
    const lines = commandLines(draft, url);
    assert.equal(lines.kickstartFile, undefined, 'a template needs no file');
    assert.deepEqual(await sentBy(lines.curl), expected);
    assert.deepEqual(await sentBy(lines.imger), expected);
    assert.deepEqual(readdirSync(workDir), [], 'nothing ran: no file was made');
  });

  it('send a pasted kickstart from a file of that name, and an upload under its hostile file name', async () => {
    const text = "lang C\n%post\necho '$(id)' `id`\n%end\n";
    for (const draft of [
      { ...hostileDraft, source: 'text', text, name: '' } as const,
      { ...hostileDraft, source: 'file', text, name: '', fileName: "it's $(id).ks" } as const,
      { ...hostileDraft, source: 'file', text, name: '', fileName: '-rf `id`.cfg' } as const,
      { ...hostileDraft, source: 'kickstarter', text, name: '', fileName: '1.10/small.ks' } as const,
    ]) {
      const expected = submitJson(draft);
      const lines = commandLines(draft, url);
      assert.ok(lines.kickstartFile, 'imger reads the kickstart from a file');
      writeFileSync(join(workDir, lines.kickstartFile), text);
      assert.deepEqual(await sentBy(lines.curl), expected);
      const fromImger = (await sentBy(lines.imger)) as Record<string, unknown>;
      // imger names a job after its file as the page does after an upload; pasted text gets the file's name.
      assert.deepEqual(fromImger, { ...expected, name: expected.name ?? 'kickstart' });
      rmSync(join(workDir, lines.kickstartFile));
      assert.deepEqual(readdirSync(workDir), [], 'nothing ran: no file was made');
    }
  });
});

/**
 * Resident memory of `imger serve` (as `npm start` runs it, on SQLite and the embedded queue, without build slots
 * so that nothing builds): idle, then with 10,000 jobs submitted through the API and 300 clients on the change
 * stream. The baseline is the plain script: a bare Node HTTP server, started the same way in the same run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openListeners } from './lib/listeners.ts';
import { runLoad } from './lib/load.ts';

const JOBS = 10_000;
const AUDIENCE = 300;
/** Long enough after start or load for the heap to settle (a GC or two), as a process that waits would. */
const SETTLE_MS = 5000;
const main = resolve(import.meta.dirname, '../src/cli/main.ts');
const kickstart = 'lang en_US.UTF-8\nkeyboard us\ntimezone UTC\nrootpw secret\n%packages\nbash\n%end\n';

const mebibytes = (pid: number) =>
  Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** Starts a server process and resolves with its URL, from the first line that names one. */
function start(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolveStart, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
      if (url) {
        child.stdout?.removeAllListeners('data').resume();
        resolveStart({ child, url });
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  child.kill('SIGTERM');
  await exited;
}

const plain = await start(
  [
    '-e',
    "const s = require('node:http').createServer((q, a) => a.end('{}')).listen(0, '127.0.0.1', () => " +
      "console.log('http://127.0.0.1:' + s.address().port + '/'))",
  ],
  {},
);
await sleep(SETTLE_MS);
const plainMiB = mebibytes(plain.child.pid ?? 0);
await stop(plain.child);

const dataDir = mkdtempSync(join(tmpdir(), 'img-bench-'));
writeFileSync(join(dataDir, 'img.conf'), '');
try {
  const served = await start(['--import', 'tsx', main, 'serve'], {
    IMG_CONFIG: join(dataDir, 'img.conf'),
    IMG_DB_DATA_DIR: dataDir,
    IMG_WORKER_BASE_DIR: join(dataDir, 'images'),
    IMG_WEB_LISTEN: '127.0.0.1:0',
    IMG_WORKER_NUM_WORKERS: '0',
    IMG_LOG_LEVEL: 'warn',
  });
  const pid = served.child.pid ?? 0;
  try {
    await sleep(SETTLE_MS);
    const idleMiB = mebibytes(pid);
    const login = await fetch(`${served.url}api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'imager', password: 'imager' }),
    });
    const authorization = `Bearer ${((await login.json()) as { token: string }).token}`;
    const listeners = await openListeners({
      url: `${served.url}api/v1/events`,
      headers: { authorization },
      count: AUDIENCE,
    });
    await runLoad({
      url: `${served.url}api/v1/jobs`,
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ kickstart, type: 'fs', arch: 'x86_64', name: 'bench' }),
      connections: 8,
      requests: JOBS,
      expectStatus: 201,
    });
    await sleep(SETTLE_MS);
    const loadedMiB = mebibytes(pid);
    await listeners.close();
    console.log(`resident memory: the plain script (a bare Node HTTP server) ${plainMiB.toFixed(0)} MiB`);
    console.log(
      `imger serve, idle: ${idleMiB.toFixed(0)} MiB, ratio ${(idleMiB / plainMiB).toFixed(2)} of the plain script`,
    );
    console.log(
      `imger serve, ${JOBS.toLocaleString('en')} jobs and ${AUDIENCE} stream clients: ${loadedMiB.toFixed(0)} MiB, ` +
        `ratio ${(loadedMiB / idleMiB).toFixed(2)} of idle`,
    );
  } finally {
    await stop(served.child);
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

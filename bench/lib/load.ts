/**
 * A bounded HTTP load: a fixed number of requests over a fixed number of keep-alive connections, each connection
 * sending its next request as soon as the previous answer is read. It runs in a worker thread, so the client has
 * its own event loop (and, on two cores, its own core) instead of stealing the server's.
 */
import { Agent, request } from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  requests: number;
  /** Any other answer stops the run: a benchmark of errors measures nothing. */
  expectStatus: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  /** Response body bytes, all requests together. */
  bytes: number;
  p50Ms: number;
  p99Ms: number;
}

/** Sends `spec.requests` requests from a worker thread and reports the rate and latencies. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    // On Node 20 a worker does not inherit the `--import tsx` hooks: its entry, plain JavaScript, registers
    // them before it imports this module.
    const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
    const entry = `import(${tsx}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const worker = new Worker(entry, { eval: true, workerData: spec });
    let result: LoadResult | undefined;
    worker.once('message', (message: LoadResult) => {
      result = message;
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      result ? resolve(result) : reject(new Error(`the load worker exited with ${code}`)),
    );
  });
}

async function generateLoad(spec: LoadSpec): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const target = new URL(spec.url);
  const headers = {
    ...spec.headers,
    ...(spec.body === undefined ? {} : { 'content-length': Buffer.byteLength(spec.body) }),
  };
  const latenciesMs: number[] = [];
  let sent = 0;
  let received = 0;
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const started = performance.now();
      const outgoing = request(target, { method: spec.method, headers, agent }, (answer) => {
        // Only the start of a body is kept, for the error message: a download may be a gigabyte.
        let opening = '';
        answer.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (opening.length < 500) opening += chunk.toString('utf8', 0, 500);
        });
        answer.on('end', () => {
          latenciesMs.push(performance.now() - started);
          if (answer.statusCode === spec.expectStatus) resolve();
          else reject(new Error(`${spec.method} ${spec.url}: ${answer.statusCode} ${opening}`));
        });
        answer.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(spec.body);
    });
  const connection = async () => {
    while (sent < spec.requests) {
      sent += 1;
      await once();
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: spec.connections }, connection));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latenciesMs.sort((a, b) => a - b);
  const at = (q: number) =>
    latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(q * latenciesMs.length))] ?? 0;
  return {
    requests: spec.requests,
    seconds,
    perSecond: spec.requests / seconds,
    bytes: received,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}

if (!isMainThread) parentPort?.postMessage(await generateLoad(workerData as LoadSpec));

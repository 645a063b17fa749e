/**
 * Clients of the job change stream (`GET /api/v1/events`), as browsers with the queue page open have: many
 * connections reading every event and throwing it away. They run in a worker thread, like the load, so that
 * their reading is not counted as the server's time.
 */
import { Agent, request } from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

export interface ListenersSpec {
  url: string;
  headers: Record<string, string>;
  count: number;
}

export interface Listeners {
  /** How many `job` events each client has read so far, the fewest of them. */
  fewestEvents(): Promise<number>;
  close(): Promise<void>;
}

const EVENT_LINE = 'event: job\n';

type Command = { type: 'count' } | { type: 'close' };
type Report = { type: 'connected' } | { type: 'count'; fewest: number } | { type: 'closed' };

/** Resolves once every client is connected (its response headers read). */
export function openListeners(spec: ListenersSpec): Promise<Listeners> {
  // On Node 20 a worker does not inherit the `--import tsx` hooks: its entry registers them (see load.ts).
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = `import(${tsx}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(entry, { eval: true, workerData: spec });
  const next = (type: Report['type']) =>
    new Promise<Report>((resolve, reject) => {
      const onMessage = (report: Report) => {
        if (report.type !== type) return;
        worker.off('message', onMessage);
        worker.off('error', reject);
        resolve(report);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  const ask = (command: Command, answer: Report['type']) => {
    const answered = next(answer);
    worker.postMessage(command);
    return answered;
  };
  return next('connected').then(() => ({
    async fewestEvents() {
      const report = await ask({ type: 'count' }, 'count');
      return report.type === 'count' ? report.fewest : 0;
    },
    async close() {
      await ask({ type: 'close' }, 'closed');
      await worker.terminate();
    },
  }));
}

function listen(spec: ListenersSpec): void {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.count });
  const events: number[] = Array(spec.count).fill(0);
  const requests = events.map((_, index) => {
    const outgoing = request(spec.url, { headers: spec.headers, agent });
    return new Promise<void>((resolve, reject) => {
      outgoing.on('response', (answer) => {
        if (answer.statusCode !== 200) reject(new Error(`GET ${spec.url}: ${answer.statusCode}`));
        answer.setEncoding('utf8');
        // What may be the start of an event line cut by the chunk's end.
        let tail = '';
        answer.on('data', (chunk: string) => {
          const text = tail + chunk;
          events[index]! += text.split(EVENT_LINE).length - 1;
          tail = text.slice(-(EVENT_LINE.length - 1));
        });
        resolve();
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
  });
  Promise.all(requests).then(
    () => parentPort?.postMessage({ type: 'connected' } satisfies Report),
    (error: unknown) => {
      throw error;
    },
  );
  parentPort?.on('message', (command: Command) => {
    if (command.type === 'count') {
      parentPort?.postMessage({ type: 'count', fewest: Math.min(...events) } satisfies Report);
    } else {
      agent.destroy();
      parentPort?.postMessage({ type: 'closed' } satisfies Report);
    }
  });
}

if (!isMainThread) listen(workerData as ListenersSpec);

/**
 * The real server (`serve`, embedded queue, SQLite) on a temp data folder, listening on loopback, with no local
 * build slots so that submitted jobs stay waiting and nothing but the web side is measured. It carries one extra
 * route, NOOP_PATH, that answers `{}` to GET and POST: the baseline every benchmark divides by, served by the same
 * Fastify instance, plugins and hooks in the same run, and never part of a production server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/service/config/index.ts';
import { loadConfig } from '../../src/service/config/index.ts';
import { type RunningServer, serve } from '../../src/service/serve.ts';

export const NOOP_PATH = '/bench/noop';

export interface BenchServer {
  server: RunningServer;
  config: Config;
  /** The root of the server, without the trailing slash. */
  origin: string;
  /** `Authorization` value of the default admin's API token. */
  authorization: string;
  stop(): Promise<void>;
}

/** `env`: img.conf keys as IMG_SECTION_KEY variables, over the benchmark's own. */
export async function startBenchServer(env: Record<string, string> = {}): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'img-bench-'));
  const config = loadConfig({
    env: {
      IMG_DB_DATA_DIR: dataDir,
      IMG_WORKER_BASE_DIR: join(dataDir, 'images'),
      IMG_WEB_LISTEN: '127.0.0.1:0',
      IMG_WORKER_NUM_WORKERS: '0',
      ...env,
    },
    warn: () => {},
  });
  let server: RunningServer;
  try {
    // No request log: it would cost both routes alike and flood the benchmark's output.
    server = await serve(config, () => {}, {
      logger: false,
      beforeListen: (app) => {
        app.route({ method: ['GET', 'POST'], url: NOOP_PATH, handler: async () => ({}) });
      },
    });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const origin = server.url.replace(/\/$/, '');
  const stop = async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const answer = await fetch(`${origin}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'imager', password: 'imager' }),
    });
    if (answer.status !== 201) throw new Error(`logging in failed: ${answer.status} ${await answer.text()}`);
    const { token } = (await answer.json()) as { token: string };
    return { server, config, origin, authorization: `Bearer ${token}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs the benchmark body against a fresh server and always stops it and removes its folder. */
export async function withBenchServer<T>(
  run: (bench: BenchServer) => Promise<T>,
  env: Record<string, string> = {},
): Promise<T> {
  const bench = await startBenchServer(env);
  try {
    return await run(bench);
  } finally {
    await bench.stop();
  }
}

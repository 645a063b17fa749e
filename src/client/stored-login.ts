/**
 * Where `imger login` keeps its token, and how the server and token of a call are chosen: `--server` over
 * IMG_SERVER over the stored login's server; IMG_TOKEN over the stored token, which is only used for the server
 * it was issued by. Node-only.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export interface StoredLogin {
  server: string;
  username: string;
  token: string;
}

export interface Connection {
  server: string;
  /** Undefined when there is no login for this server: calls that need one get 401 from the server. */
  token: string | undefined;
}

/** `$XDG_CONFIG_HOME/imger/login.json`, else `~/.config/imger/login.json`. */
export function storedLoginPath(env: NodeJS.ProcessEnv = process.env): string {
  const configHome = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(configHome, 'imger', 'login.json');
}

export async function readStoredLogin(env: NodeJS.ProcessEnv = process.env): Promise<StoredLogin | null> {
  try {
    const login = JSON.parse(await readFile(storedLoginPath(env), 'utf8')) as Partial<StoredLogin>;
    if (typeof login.server !== 'string' || typeof login.token !== 'string') return null;
    return { server: login.server, token: login.token, username: String(login.username ?? '') };
  } catch {
    return null;
  }
}

/** Written 0600 through a temp file, so neither a half-written nor a world-readable token is ever on disk. */
export async function storeLogin(login: StoredLogin, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const path = storedLoginPath(env);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, path);
  return path;
}

/** Compares servers by URL, so `http://h:8080` and `http://h:8080/` are one server. */
export function sameServer(a: string, b: string): boolean {
  const normal = (url: string) => new URL(url.endsWith('/') ? url : `${url}/`).href;
  try {
    return normal(a) === normal(b);
  } catch {
    return a === b;
  }
}

export async function resolveConnection(
  flags: { server?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<Connection | null> {
  const stored = await readStoredLogin(env);
  const server = flags.server || env.IMG_SERVER || stored?.server;
  if (!server) return null;
  const token = env.IMG_TOKEN || (stored && sameServer(stored.server, server) ? stored.token : undefined);
  return { server, token };
}

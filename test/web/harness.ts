// Shared by the browser tests: a real IMG server on a free port over a temp folder, Debian's chromium driven by
// playwright-core, logging in through the page, and screenshots a person can look at afterwards.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { loadConfig } from '../../src/service/config/index.ts';
import { type RunningServer, serve } from '../../src/service/serve.ts';

const repoRoot = resolve(import.meta.dirname, '../..');

/** Where every test's screenshots go; the tests print it. */
export const SCREENSHOT_DIR = join(tmpdir(), 'img-web-screenshots');

/**
 * Debian's chromium, as root, on a closed network: without the background-networking flags it keeps trying to
 * reach Google's hosts (node-stack-on-this-machine.md).
 */
const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

/** Why the files of real builds skip their tests: false as root, where the native builder runs. */
export const skipUnlessRoot = process.getuid?.() === 0 ? false : 'the native builder runs as root';
/** How long a real build may take: a cold one downloads and unpacks a Debian system first. */
export const BUILD_TIMEOUT_MS = 15 * 60_000;

export const DEFAULT_ADMIN = { username: 'imager', password: 'imager' };

export interface WebServer {
  server: RunningServer;
  /** The page's root, e.g. http://127.0.0.1:PORT/img/. */
  pages: string;
  baseDir: string;
  stop(): Promise<void>;
}

/** `npm test` builds the page first; a test run on its own file builds it here when the sources changed. */
export function buildPages(): void {
  execFileSync('bash', [join(repoRoot, 'scripts/build-web.sh')], { stdio: 'inherit' });
}

/** A server over a fresh temp folder; `buildSlots` 0 keeps every job IN QUEUE; `builder` judges submits. */
export async function startServer(options: {
  buildSlots: number;
  builder?: 'native' | 'mic';
}): Promise<WebServer> {
  const dir = mkdtempSync(join(tmpdir(), 'img-web-test-'));
  const baseDir = join(dir, 'images');
  const config = loadConfig({
    env: {
      IMG_DB_DATA_DIR: dir,
      IMG_WORKER_BASE_DIR: baseDir,
      IMG_WEB_LISTEN: '127.0.0.1:0',
      IMG_WORKER_NUM_WORKERS: String(options.buildSlots),
      IMG_WORKER_HEARTBEAT_TIMEOUT: '30',
      IMG_WORKER_BUILDER: options.builder ?? 'native',
    },
    warn: () => {},
  });
  const server = await serve(config, () => {}, { logger: false });
  return {
    server,
    pages: `${server.url}img/`,
    baseDir,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({ ...CHROMIUM, headless: true });
}

/** Errors the pages threw and nobody caught; a test file checks at its end that there were none. */
export const pageErrors: string[] = [];

/** A test file's end: its browser and server gone, and no page threw while it ran. */
export async function closeWebTests(browser: Browser | undefined, web: WebServer | undefined): Promise<void> {
  await browser?.close();
  await web?.stop();
  assert.deepEqual(pageErrors, [], 'no page threw');
}

/** A browser of its own (its own cookies, so its own session), with a desktop-sized window. */
export async function newSession(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  context.on('weberror', (error) => pageErrors.push(`${error.page()?.url()}: ${error.error().stack}`));
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page };
}

/**
 * A test file's start: the pages built, a server (see startServer), a browser and a first session in it; with
 * `user`, that session is logged in. closeWebTests is its end.
 */
export async function openWebTests(
  options: Parameters<typeof startServer>[0] & { user?: { username: string; password: string } },
): Promise<{ web: WebServer; browser: Browser; context: BrowserContext; page: Page }> {
  const { user, ...serverOptions } = options;
  buildPages();
  const web = await startServer(serverOptions);
  const browser = await launchBrowser();
  const { context, page } = await newSession(browser);
  if (user) await logIn(page, web.pages, user);
  process.stdout.write(`# screenshots: ${SCREENSHOT_DIR}\n`);
  return { web, browser, context, page };
}

/** Logs in by keyboard alone, as a user without a mouse would. */
export async function logIn(page: Page, pages: string, user: { username: string; password: string }) {
  await page.goto(pages);
  await page.getByLabel('User name').focus();
  await page.keyboard.type(user.username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(user.password);
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/**
 * A call with the page's own session cookie and CSRF token, as the page would make it: for setting up many jobs
 * quickly, and for checking what the server refuses to a user whatever the page shows.
 */
export function apiFromPage(
  page: Page,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const session = await (await fetch('/api/v1/session')).json();
      const headers: Record<string, string> = { 'x-csrf-token': session.csrf_token };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`/api/v1/${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: await response.json().catch(() => null) };
    },
    { method, path, body },
  );
}

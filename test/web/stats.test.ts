// The stats page after real builds: one fs image built, one failing for a missing package, one whose
// `%post --erroronfail` fails, and a job a user cancels. The charts must show them, for the admin all of them and
// for the user their own; the page must fit a phone. A minute or two on a warm build cache.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Job } from '../../src/client/api-client.ts';
import {
  apiFromPage,
  BUILD_TIMEOUT_MS,
  closeWebTests,
  DEFAULT_ADMIN,
  logIn,
  newSession,
  openWebTests,
  pageErrors,
  screenshot,
  skipUnlessRoot,
  type WebServer,
} from './harness.ts';

const skip = skipUnlessRoot;
const ALICE = { username: 'alice', password: 'alice-password' };

const minimal = readFileSync(join(import.meta.dirname, '../../templates/debian-minimal.ks'), 'utf8');
const missingPackage = minimal.replace('%packages\n', '%packages\nimger-no-such-package\n');
const failingPost = `${minimal}\n%post --erroronfail\necho about to fail\nexit 3\n%end\n`;

let web: WebServer;
let browser: Browser;
let admin: Page;
let alice: Page;
/** What the browser reported as errors (a style the content security policy refused, say). */
const consoleErrors: string[] = [];

async function submit(page: Page, name: string, kickstart: string): Promise<string> {
  const created = await apiFromPage(page, 'POST', 'jobs', { kickstart, type: 'fs', arch: 'x86_64', name });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return (created.body as Job).id;
}

async function finished(page: Page, id: string): Promise<Job> {
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const job = (await apiFromPage(page, 'GET', `jobs/${id}`)).body as Job;
    if (['DONE', 'ERROR', 'CANCELLED'].includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  throw new Error(`job ${id} did not finish in time`);
}

before(async () => {
  if (skip) return;
  ({ web, browser, page: admin } = await openWebTests({ buildSlots: 1, user: DEFAULT_ADMIN }));
  // From here: before the login, the page's question whether it is logged in is answered 401, as it should be.
  admin.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  const added = await apiFromPage(admin, 'POST', 'users', { ...ALICE, admin: false });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  alice = (await newSession(browser)).page;
  await logIn(alice, web.pages, ALICE);
});

after(() => closeWebTests(browser, web));

/** The rows of a chart's table, each as its cells' text; the table is the chart's text alternative. */
async function chartTable(page: Page, chart: string): Promise<string[][]> {
  const figure = page.locator(`figure[data-chart="${chart}"]`);
  await figure.locator('summary').click();
  return figure
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent ?? '')),
    );
}

const tile = (page: Page, name: string) =>
  page
    .locator('.stat-tiles > div', { has: page.locator('dt', { hasText: new RegExp(`^${name}$`) }) })
    .locator('dd');

/** The bars a chart drew with a height or width, not the empty ones of a zero. */
const drawnBars = (page: Page, chart: string) =>
  page
    .locator(`figure[data-chart="${chart}"] .recharts-bar-rectangle path`)
    .evaluateAll(
      (paths) =>
        paths.filter(
          (path) => path.getBoundingClientRect().width > 0 && path.getBoundingClientRect().height > 0,
        ).length,
    );

test('after real builds, the charts show the built, the failed and the cancelled jobs', {
  skip,
  timeout: 3 * BUILD_TIMEOUT_MS,
}, async () => {
  const builtId = await submit(admin, 'stats-built', minimal);
  const missingId = await submit(admin, 'stats-missing-package', missingPackage);
  const postId = await submit(admin, 'stats-failing-post', failingPost);
  // Waits behind the admin's three in the one build slot, so the cancel finds it IN QUEUE.
  const cancelledId = await submit(alice, 'stats-cancelled', minimal);
  const cancel = await apiFromPage(alice, 'POST', `jobs/${cancelledId}/cancel`);
  assert.equal(cancel.status, 200, JSON.stringify(cancel.body));

  const built = await finished(admin, builtId);
  assert.equal(built.status, 'DONE', JSON.stringify(built.error));
  const missing = await finished(admin, missingId);
  assert.equal(missing.error?.class, 'package-not-found', JSON.stringify(missing.error));
  const post = await finished(admin, postId);
  assert.equal(post.error?.class, 'script-failed', JSON.stringify(post.error));

  await admin.getByRole('link', { name: 'Stats', exact: true }).click();
  await admin.getByRole('heading', { name: 'Stats', exact: true }).waitFor();
  await admin.locator('figure[data-chart="per-day"] .recharts-bar-rectangle').first().waitFor();
  assert.equal(await tile(admin, 'Builds done').textContent(), '1');
  assert.equal(await tile(admin, 'Failed').textContent(), '2');
  assert.equal(await tile(admin, 'Cancelled').textContent(), '1');
  assert.equal(await tile(admin, 'Success rate').textContent(), '33 %');
  await admin.getByText('Every user’s jobs').waitFor();

  const today = new Date().toISOString().slice(0, 10);
  const perDay = await chartTable(admin, 'per-day');
  assert.equal(perDay.length, 30, 'a row a day of the default window');
  assert.deepEqual(perDay.at(-1), [today, '1', '2', '1']);
  // Today's stack: a done bar, a failed bar and a cancelled bar.
  assert.equal(await drawnBars(admin, 'per-day'), 3);
  const failedLegend = admin.locator('figure[data-chart="per-day"] .recharts-legend-item', {
    hasText: 'Failed',
  });
  await failedLegend.waitFor();

  const failures = await chartTable(admin, 'failures');
  assert.deepEqual(failures.sort(), [
    ['package-not-found', '1'],
    ['script-failed', '1'],
  ]);
  assert.equal(await drawnBars(admin, 'failures'), 2);
  const failureLabels = await admin
    .locator('figure[data-chart="failures"] .recharts-cartesian-axis-tick-value')
    .allTextContents();
  for (const name of ['package-not-found', 'script-failed']) assert.ok(failureLabels.includes(name), name);

  const times = await chartTable(admin, 'build-time');
  assert.equal(times.length, 1);
  assert.deepEqual(times[0]?.slice(0, 2), ['fs', '1']);
  assert.equal(await drawnBars(admin, 'build-time'), 2, 'the median and the 90th percentile');
  assert.deepEqual(await chartTable(admin, 'queues'), [['api', '4']]);
  assert.equal(
    await admin
      .locator('.chart-area [tabindex]:not([tabindex="-1"]), .chart-area [role="application"]')
      .count(),
    0,
    'nothing to tab into inside a chart, which is one image with its sentence',
  );
  const summary = await admin
    .locator('figure[data-chart="failures"] [role="img"]')
    .getAttribute('aria-label');
  assert.match(summary ?? '', /package-not-found 1/);
  await screenshot(admin, 'stats-admin');
  assert.deepEqual(consoleErrors, [], 'the charts break no rule of the page');

  await admin.getByLabel('Window').selectOption('7');
  await admin.waitForURL(/stats\/\?days=7$/);
  await admin.locator('figure[data-chart="per-day"] summary').click();
  await admin.waitForFunction(
    () => document.querySelectorAll('figure[data-chart="per-day"] tbody tr').length === 7,
  );

  await alice.getByRole('link', { name: 'Stats', exact: true }).click();
  await alice.getByText('Your jobs').waitFor();
  await alice.locator('figure[data-chart="per-day"] .recharts-bar-rectangle').first().waitFor();
  assert.equal(await tile(alice, 'Builds done').textContent(), '0');
  assert.equal(await tile(alice, 'Failed').textContent(), '0');
  assert.equal(await tile(alice, 'Cancelled').textContent(), '1');
  assert.equal(await tile(alice, 'Success rate').textContent(), '–');
  await alice.getByText('No build failed in the window.').waitFor();
  assert.deepEqual(await chartTable(alice, 'queues'), [['api', '1']]);
});

test('the stats page fits a phone: no sideways scrolling, every chart drawn', { skip }, async () => {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  context.on('weberror', (error) => pageErrors.push(`${error.page()?.url()}: ${error.error().stack}`));
  const phone = await context.newPage();
  phone.setDefaultTimeout(15_000);
  await logIn(phone, web.pages, DEFAULT_ADMIN);
  await phone.goto(`${web.pages}stats/`);
  await phone.locator('figure[data-chart="failures"] .recharts-bar-rectangle').first().waitFor();
  for (const chart of ['per-day', 'build-time', 'failures', 'queues']) {
    const box = await phone
      .locator(`figure[data-chart="${chart}"] .recharts-wrapper > .recharts-surface`)
      .boundingBox();
    assert.ok(
      box && box.width > 200 && box.x >= 0 && box.x + box.width <= 390,
      `${chart}: ${JSON.stringify(box)}`,
    );
  }
  assert.ok(
    await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    'nothing sticks out sideways',
  );
  await screenshot(phone, 'stats-phone');
  await context.close();
});

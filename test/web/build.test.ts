// Real builds watched in the browser: the page against a server with one build slot and the native builder, on
// the fastest type (fs). One build runs to DONE and is shared by the tests after it; the other is cancelled.
// A minute or so on a warm cache, several minutes cold (mmdebstrap).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { stepNames } from '../../src/builder/steps.ts';
import type { Job } from '../../src/client/api-client.ts';
import { localJobFolder as jobFolder } from '../../src/service/jobs/artifact-store.ts';
import {
  apiFromPage,
  BUILD_TIMEOUT_MS,
  closeWebTests,
  DEFAULT_ADMIN,
  openWebTests,
  screenshot,
  skipUnlessRoot,
  type WebServer,
} from './harness.ts';

const skip = skipUnlessRoot;

let web: WebServer;
let browser: Browser;
/** Stays on the queue page, never reloaded, while the builds run. */
let queuePage: Page;
/** The job pages. */
let jobPage: Page;
let cancelled: Job;
let built: Job;

before(async () => {
  if (skip) return;
  let context: BrowserContext;
  ({ web, browser, page: queuePage, context } = await openWebTests({ buildSlots: 1, user: DEFAULT_ADMIN }));
  jobPage = await context.newPage();
  jobPage.setDefaultTimeout(15_000);
  await jobPage.goto(web.pages);
});

after(() => closeWebTests(browser, web));

const jobFromPage = async (page: Page, id: string) =>
  (await apiFromPage(page, 'GET', `jobs/${id}`)).body as Job;
const idFromUrl = (page: Page) => decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
const statusOf = async (page: Page) => (await page.locator('h1 .status').textContent()) ?? '';
const lineCount = async (page: Page) =>
  Number(((await page.getByText(/^[\d,]+ lines$/).textContent()) ?? '').replace(/\D/g, ''));

/**
 * Every status the row of `id` showed, in order, recorded in the page as the DOM changes. The recorder is plain
 * JavaScript text: tsx compiles functions with name helpers (`__name`) that do not exist inside the page.
 */
async function recordStatuses(page: Page, id: string): Promise<() => Promise<string[]>> {
  await page.evaluate(`{
    const seen = (window.seenStatuses = []);
    const record = () => {
      const text = document.querySelector('tr[data-job-id="${id}"] .status')?.textContent ?? '';
      const status = text.replace(/ ·.*$/, '');
      if (status !== '' && seen[seen.length - 1] !== status) seen.push(status);
    };
    record();
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
  }`);
  return () => page.evaluate(() => (window as unknown as { seenStatuses: string[] }).seenStatuses);
}

/** The steps the job page's stage bar highlighted, in order, and every elapsed time it showed. */
async function recordStages(page: Page): Promise<() => Promise<{ steps: string[]; elapsed: string[] }>> {
  await page.evaluate(`{
    const seen = (window.seenStages = { steps: [], elapsed: [] });
    const record = () => {
      const bar = document.querySelector('.stage-bar');
      if (!bar) return;
      const running = bar.querySelector('[aria-current="step"] .stage-name')?.textContent ?? '';
      if (running !== '' && seen.steps[seen.steps.length - 1] !== running) seen.steps.push(running);
      const elapsed = bar.querySelector('.elapsed')?.textContent ?? '';
      if (elapsed !== '' && seen.elapsed[seen.elapsed.length - 1] !== elapsed) seen.elapsed.push(elapsed);
    };
    record();
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
  }`);
  return () =>
    page.evaluate(
      () => (window as unknown as { seenStages: { steps: string[]; elapsed: string[] } }).seenStages,
    );
}

async function submitTemplate(page: Page, name: string) {
  await page.getByRole('link', { name: 'Submit', exact: true }).click();
  await page.getByLabel('Template', { exact: true }).selectOption('debian-minimal');
  await page.getByLabel('Image type').selectOption('fs');
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Submit' }).click();
  await page.waitForURL(/\/img\/job\//);
  return idFromUrl(page);
}

async function submitUpload(page: Page, name: string) {
  await page.getByRole('link', { name: 'Submit', exact: true }).click();
  await page.getByRole('radio', { name: 'A kickstart file' }).check();
  await page.getByLabel('Kickstart file', { exact: true }).setInputFiles({
    name: `${name}.ks`,
    mimeType: 'text/plain',
    buffer: readFileSync(join(import.meta.dirname, '../../templates/debian-minimal.ks')),
  });
  await page.getByLabel('Image type').selectOption('fs');
  await page.getByRole('button', { name: 'Submit' }).click();
  await page.waitForURL(/\/img\/job\//);
  return idFromUrl(page);
}

test('a building job is cancelled, and the next goes IN QUEUE → BUILDING → DONE in the queue with its log live', {
  skip,
  timeout: BUILD_TIMEOUT_MS + 60_000,
}, async () => {
  const firstId = await submitTemplate(jobPage, 'from-template');
  await jobPage.locator('h1 .status', { hasText: 'BUILDING' }).waitFor();
  const secondId = await submitUpload(jobPage, 'uploaded-minimal');
  await jobPage.locator('h1 .status', { hasText: 'IN QUEUE · #1' }).waitFor();

  await queuePage.getByRole('link', { name: 'Queue', exact: true }).click();
  await queuePage.locator(`tr[data-job-id="${secondId}"]`).waitFor();
  const statuses = await recordStatuses(queuePage, secondId);
  await queuePage.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });
  await screenshot(queuePage, 'queue-building');

  await jobPage.goto(`${web.pages}job/${firstId}`);
  await jobPage.getByRole('button', { name: 'Cancel' }).click();
  await jobPage.getByRole('button', { name: 'Yes, cancel' }).click();
  await jobPage.locator('h1 .status', { hasText: 'CANCELLED' }).waitFor({ timeout: 60_000 });
  cancelled = await jobFromPage(jobPage, firstId);

  await jobPage.goto(`${web.pages}job/${secondId}`);
  await jobPage.locator('[data-log-state="following"]').waitFor();
  const stages = await recordStages(jobPage);
  await jobPage.locator('h1 .status', { hasText: 'BUILDING' }).waitFor({ timeout: 60_000 });
  await jobPage.locator('.stage-bar').waitFor({ timeout: 60_000 });
  await queuePage.locator(`tr[data-job-id="${secondId}"] .stage-compact`).waitFor({ timeout: 60_000 });
  await screenshot(jobPage, 'job-building-stage-bar');
  await jobPage.waitForFunction(() => document.querySelectorAll('.log-line').length > 3, null, {
    timeout: 120_000,
  });
  const linesWhileBuilding = await lineCount(jobPage);
  assert.match(await statusOf(jobPage), /BUILDING/, 'the log shows while the job builds');
  await screenshot(jobPage, 'job-building-live-log');

  await queuePage
    .locator(`tr[data-job-id="${secondId}"] .status`, { hasText: /DONE|ERROR/ })
    .waitFor({ timeout: BUILD_TIMEOUT_MS });
  built = await jobFromPage(queuePage, secondId);
  assert.equal(built.status, 'DONE', JSON.stringify(built.error));
  // The stage bar moved forward through the build's steps, the running one highlighted, its clock ticking.
  const { steps, elapsed } = await stages();
  const order: readonly string[] = stepNames;
  assert.ok(steps.length >= 2, `the bar moved: ${steps.join(' → ')}`);
  const positions = steps.map((step) => order.indexOf(step));
  assert.ok(!positions.includes(-1), `known steps: ${steps.join(', ')}`);
  assert.deepEqual(
    positions,
    [...positions].sort((a, b) => a - b),
    `in order: ${steps.join(' → ')}`,
  );
  assert.ok(elapsed.length >= 2, `the elapsed time ticked: ${elapsed.join(', ')}`);
  assert.deepEqual(await statuses(), ['IN QUEUE', 'BUILDING', 'DONE']);
  assert.equal(
    await queuePage.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
    true,
    'the queue page was never reloaded',
  );
  await screenshot(queuePage, 'queue-done');
  await jobPage.locator('[data-log-state="complete"]').waitFor();
  assert.ok((await lineCount(jobPage)) > linesWhileBuilding, 'the followed log grew to the end');
});

test('the finished log is complete, the files show sizes and checksums, and the image downloads intact', {
  skip,
}, async () => {
  assert.ok(built, 'needs the build of the test before');
  await jobPage.goto(`${web.pages}job/${built.id}#files`);
  await jobPage.locator('[data-log-state="complete"]').waitFor();
  const logText = await jobPage.evaluate(async (url) => (await fetch(url)).text(), built.links.log);
  assert.equal(
    await lineCount(jobPage),
    logText.replace(/\n$/, '').split('\n').length,
    'every line is in the view',
  );
  await jobPage.locator('.log-line', { hasText: 'build succeeded in' }).waitFor();

  const main = built.artifacts.find((artifact) => artifact.main);
  assert.ok(main);
  const fileRow = jobPage.locator('#files tr', { hasText: main.name });
  assert.match((await fileRow.textContent()) ?? '', new RegExp(main.sha256));
  await screenshot(jobPage, 'job-done');
  const [download] = await Promise.all([
    jobPage.waitForEvent('download'),
    jobPage.getByRole('link', { name: `Download ${main.name}` }).click(),
  ]);
  const path = await download.path();
  assert.equal(download.suggestedFilename(), main.name);
  assert.equal(createHash('sha256').update(readFileSync(path)).digest('hex'), main.sha256);
});

test('retry queues the cancelled job again', { skip }, async () => {
  assert.ok(cancelled, 'needs the cancelled job of the first test');
  await jobPage.goto(`${web.pages}job/${cancelled.id}`);
  await jobPage.getByRole('button', { name: 'Retry' }).click();
  await jobPage.waitForURL((url) => !url.pathname.endsWith(cancelled.id));
  const retried = await jobFromPage(jobPage, idFromUrl(jobPage));
  assert.equal(retried.name, cancelled.name);
  assert.notEqual(retried.status, 'CANCELLED');
  // No second full build: it is stopped again at once.
  await jobPage.getByRole('button', { name: 'Cancel' }).click();
  await jobPage.getByRole('button', { name: 'Yes, cancel' }).click();
  await jobPage.locator('h1 .status', { hasText: 'CANCELLED' }).waitFor({ timeout: 60_000 });
});

test('a pinned job is refused by the bulk delete; unpinned, the bulk delete removes it with its files', {
  skip,
}, async () => {
  assert.ok(built, 'needs the build of the first test');
  const folder = jobFolder(web.baseDir, built);
  assert.ok(existsSync(join(folder, built.artifacts[0]?.name ?? '')), 'the build left its files');
  await jobPage.goto(`${web.pages}job/${built.id}`);
  await jobPage.getByRole('button', { name: 'Pin' }).click();
  await jobPage.getByRole('button', { name: 'Unpin' }).waitFor();
  assert.equal(await jobPage.getByRole('button', { name: 'Delete' }).count(), 0);

  const bulkDelete = async () => {
    await jobPage.goto(`${web.pages}admin/jobs/`);
    await jobPage.getByLabel(`Select ${built.name} (${built.id})`).check();
    await jobPage.getByRole('button', { name: 'Delete selected' }).click();
    await jobPage.getByRole('button', { name: 'Yes, delete selected' }).click();
    return jobPage.getByRole('status').filter({ hasText: 'Deleted' });
  };
  const refused = await bulkDelete();
  // The kept job is named, with the reason.
  await refused.locator(`[data-refused="${built.name}"]`, { hasText: /pinned/ }).waitFor();
  await screenshot(jobPage, 'admin-bulk-delete-refused');
  assert.ok(existsSync(folder));

  await jobPage.goto(`${web.pages}job/${built.id}`);
  await jobPage.getByRole('button', { name: 'Unpin' }).click();
  await jobPage.getByRole('button', { name: 'Pin' }).waitFor();
  const done = await bulkDelete();
  await done.getByText('Deleted 1 job and their files.').waitFor();
  assert.equal(existsSync(folder), false, 'the job’s folder is gone');
  assert.equal((await apiFromPage(jobPage, 'GET', `jobs/${built.id}`)).status, 404);
});

test('a failed build shows an error box: what, whose to fix, the script, and a link to its first error line', {
  skip,
  timeout: BUILD_TIMEOUT_MS,
}, async () => {
  const template = readFileSync(join(import.meta.dirname, '../../templates/debian-minimal.ks'), 'utf8');
  const kickstart = `${template}\n%post --erroronfail\necho "imger-web-test: no marker" >&2\nexit 3\n%end\n`;
  const submitted = await apiFromPage(jobPage, 'POST', 'jobs', {
    kickstart,
    type: 'fs',
    arch: 'x86_64',
    name: 'failing-post',
  });
  assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
  const { id } = submitted.body as Job;
  await jobPage.goto(`${web.pages}job/${id}`);
  await jobPage.locator('h1 .status', { hasText: 'ERROR' }).waitFor({ timeout: BUILD_TIMEOUT_MS });
  const box = jobPage.getByRole('status', { name: 'Why the job failed' });
  await box.locator('[data-failure-class="script-failed"]').waitFor();
  assert.equal(await box.locator('[data-failure-owner]').getAttribute('data-failure-owner'), 'user');
  const text = (await box.textContent()) ?? '';
  assert.match(text, /yours to fix/);
  assert.match(text, /Stepscripts/);
  assert.match(text, /%post #2, exit code 3/);
  assert.match(text, /imger-web-test: no marker/);

  const { error } = await jobFromPage(jobPage, id);
  const number = error?.details.log_line?.number;
  assert.ok(number, 'the failure names its log line');
  await jobPage.locator('[data-log-state="complete"]').waitFor();
  await jobPage.evaluate(() => window.scrollTo(0, 0));
  await box.getByRole('link', { name: `log line ${number}` }).click();
  const marked = jobPage.locator('.log-line.marked');
  await marked.waitFor();
  assert.match((await marked.textContent()) ?? '', /imger-web-test: no marker/);
  assert.equal(
    await marked
      .locator('.ln')
      .textContent()
      .then((n) => Number(n?.trim())),
    number,
  );
  assert.ok(await marked.isVisible(), 'the log is scrolled to it');
  await screenshot(jobPage, 'job-failed-error-box');
});

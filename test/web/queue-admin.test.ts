// The queue table (compact rows, links only to what a job has, filters for everyone, clickable tags, a total and
// numbered pages) and the admin's bulk delete, groups, API tokens and site settings, in Debian's chromium.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { JobPage } from '../../src/client/api-client.ts';
import {
  apiFromPage,
  closeWebTests,
  DEFAULT_ADMIN,
  logIn,
  newSession,
  openWebTests,
  SCREENSHOT_DIR,
  screenshot,
  type WebServer,
} from './harness.ts';

let web: WebServer;
let browser: Browser;
let admin: Page;

/** A 1366×768 laptop's screen less the browser's own bars: what the page gets to show. */
const LAPTOP = { width: 1366, height: 768 - 110 };

before(async () => {
  ({ web, browser, page: admin } = await openWebTests({ buildSlots: 0, user: DEFAULT_ADMIN }));
  await web.server.service.users.add({ username: 'alice', password: 'alice-password' });
});

after(() => closeWebTests(browser, web));

async function submit(
  page: Page,
  fields: Record<string, unknown>,
): Promise<{ status: number; body: unknown }> {
  return apiFromPage(page, 'POST', 'jobs', {
    template: 'debian-minimal',
    type: 'fs',
    arch: 'x86_64',
    ...fields,
  });
}

/** A job that built: claimed and finished by a worker of the test's own, with no files. */
async function finished(id: string): Promise<void> {
  const { jobs } = web.server.service;
  assert.ok(await jobs.claimById(id, 'test-worker'));
  await jobs.finish(id, 'test-worker', { artifacts: [] });
}

const rowOf = (page: Page, name: string) =>
  page.locator('tbody tr', { has: page.getByRole('link', { name, exact: true }) });

test('the queue: twenty compact rows on a laptop, links only to what a job has, per-queue places said plainly', async () => {
  for (let index = 0; index < 40; index++) {
    const created = await submit(admin, {
      name: `row-${index}`,
      queue: index % 2 === 0 ? 'api' : 'web',
      arch: index % 4 === 0 ? 'aarch64' : 'x86_64',
      type: index % 3 === 0 ? 'loop' : 'fs',
      tags: index % 5 === 0 ? ['nightly'] : [],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }
  const built = (await submit(admin, { name: 'built-one', queue: 'api' })).body as { id: string };
  await finished(built.id);

  await admin.setViewportSize(LAPTOP);
  await admin.goto(`${web.pages}queue/`);
  const rows = admin.locator('tbody tr');
  await rows.nth(29).waitFor();
  // "Six jobs a screen" was the complaint: with the table scrolled to the top of the window, twenty now.
  await admin.locator('table thead').evaluate((head) => window.scrollBy(0, head.getBoundingClientRect().top));
  const visible = await rows.evaluateAll(
    (elements, height) =>
      elements.filter((row) => {
        const box = row.getBoundingClientRect();
        return box.top >= 0 && box.bottom <= height;
      }).length,
    LAPTOP.height,
  );
  process.stdout.write(`# job rows in one ${LAPTOP.width}×${LAPTOP.height} window: ${visible}\n`);
  await admin.screenshot({ path: `${SCREENSHOT_DIR}/queue-compact-laptop.png` });
  await admin.evaluate(() => window.scrollTo(0, 0));
  assert.ok(visible >= 20, `twenty rows a laptop's screen, not ${visible}`);

  const waiting = rowOf(admin, 'row-39');
  assert.equal(
    await waiting.getByRole('link', { name: 'Log' }).count(),
    0,
    'a job that never started has no log',
  );
  assert.equal(await waiting.getByRole('link', { name: 'Files' }).count(), 0);
  assert.match(
    (await waiting.locator('td[data-label="Status"]').textContent()) ?? '',
    /IN QUEUE · #\d+ in web/,
  );
  await admin.getByText('is a waiting job’s place in its own queue').waitFor();
  const done = rowOf(admin, 'built-one');
  await done.getByRole('link', { name: 'Log' }).waitFor();
  await done.getByRole('link', { name: 'Files' }).waitFor();

  // One queue: the places need no queue name, and the note is gone.
  await admin.getByRole('navigation', { name: 'Queues' }).getByRole('link', { name: 'web' }).click();
  await admin.getByRole('heading', { name: 'web image creation queue' }).waitFor();
  assert.match(
    (await rowOf(admin, 'row-39').locator('td[data-label="Status"]').textContent()) ?? '',
    /#\d+$/,
  );
  assert.equal(await admin.getByText('is a waiting job’s place in its own queue').count(), 0);
  await admin.setViewportSize({ width: 1280, height: 900 });
});

test('anyone filters by user, arch and type, clicks a tag to filter by it, and pages by number with a total', async () => {
  const { page: alice, context } = await newSession(browser);
  try {
    await logIn(alice, web.pages, { username: 'alice', password: 'alice-password' });
    await alice.getByRole('link', { name: 'Queue', exact: true }).click();
    const total = alice.locator('[data-total]');
    await total.getByText('41 jobs · page 1 of 2').waitFor();
    await alice.getByRole('link', { name: 'Page 2' }).click();
    await alice.waitForURL(/page=2/);
    await alice.getByRole('link', { name: 'row-0', exact: true }).waitFor();
    assert.equal(await alice.locator('tbody tr').count(), 11);
    await alice.getByRole('link', { name: 'Newer' }).click();
    await alice.getByRole('link', { name: 'built-one' }).waitFor();

    await alice.getByLabel('Arch').selectOption('aarch64');
    await alice.getByLabel('Type').selectOption('loop');
    await alice.getByLabel('User').fill('imager');
    await alice.getByRole('button', { name: 'Filter' }).click();
    await alice.waitForURL(/arch=aarch64/);
    await total.getByText('4 jobs').waitFor();
    const shown = await alice.locator('tbody tr td[data-label="Job"] a:first-child').allTextContents();
    assert.deepEqual(shown, ['row-36', 'row-24', 'row-12', 'row-0']);

    await alice.getByRole('button', { name: 'Clear' }).click();
    await rowOf(alice, 'row-35').getByRole('link', { name: 'nightly' }).click();
    await alice.waitForURL(/tag=nightly/);
    await total.getByText('8 jobs').waitFor();
    assert.equal(await alice.getByLabel('Tag').inputValue(), 'nightly');
    await screenshot(alice, 'queue-filtered-by-tag');

    // Every queue's place is its own, also for a user who is not an admin.
    const refused = await apiFromPage(alice, 'POST', 'jobs/delete', { through: 'Z' });
    assert.equal(refused.status, 403, 'bulk delete is for admins');
  } finally {
    await context.close();
  }
});

test('the admin deletes every job a filter matches after a question with the count; kept jobs are named', async () => {
  const pinned = (await submit(admin, { name: 'keep-pinned', tags: ['sweep'], pinned: true })).body as {
    id: string;
  };
  for (let index = 0; index < 55; index++) await submit(admin, { name: `sweep-${index}`, tags: ['sweep'] });
  await admin.goto(`${web.pages}admin/jobs/?tag=sweep`);
  await admin.locator('[data-total]').getByText('56 jobs').waitFor();
  await admin.getByRole('button', { name: 'Delete all matching' }).click();
  await admin.getByText('Delete all 56 jobs matching tag sweep, with their files?').waitFor();
  await screenshot(admin, 'admin-delete-all-question');
  await admin.getByRole('button', { name: 'Yes, delete all matching' }).click();
  await admin.getByText('Deleted 55 jobs and their files.').waitFor();
  const kept = admin.locator('[data-refused="keep-pinned"]');
  await kept.waitFor();
  assert.match((await kept.textContent()) ?? '', /^keep-pinned: the job is pinned/);
  assert.doesNotMatch((await kept.textContent()) ?? '', new RegExp(pinned.id), 'named by name, not id');
  await admin.locator('[data-total]').getByText('1 job').waitFor();
  const left = (await apiFromPage(admin, 'GET', 'jobs?limit=1')).body as JobPage;
  assert.equal(left.total.count, 42, 'the jobs outside the filter stay');
  await screenshot(admin, 'admin-delete-all-done');
});

test('a group opens a queue to its members; others are refused at submit with a clear message', async () => {
  await admin.goto(`${web.pages}admin/groups/`);
  const form = admin.getByRole('form', { name: 'Add a group' });
  await form.getByLabel('Name', { exact: true }).fill('web-builders');
  await form.getByLabel('Members (comma-separated user names)').fill('imager');
  await form.getByRole('checkbox', { name: 'web' }).check();
  await form.getByRole('button', { name: 'Add group' }).click();
  const group = admin.getByRole('form', { name: 'Group web-builders' });
  await group.waitFor();
  assert.equal(await group.getByRole('checkbox', { name: 'web' }).isChecked(), true);
  await admin.getByText('Open to everyone now: api, requests.').waitFor();
  await screenshot(admin, 'admin-groups-queues');
  await admin.getByRole('link', { name: 'Queues' }).click();
  await admin
    .locator('tr', { has: admin.getByLabel('Description of web') })
    .getByText('members of web-builders')
    .waitFor();

  const { page: alice, context } = await newSession(browser);
  try {
    await logIn(alice, web.pages, { username: 'alice', password: 'alice-password' });
    const refused = await submit(alice, { name: 'not-mine', queue: 'web' });
    assert.equal(refused.status, 403);
    assert.match(
      (refused.body as { message: string }).message,
      /queue web takes jobs only from members of the group web-builders, and alice is in none/,
    );
    assert.equal((await submit(alice, { name: 'mine', queue: 'api' })).status, 201);
  } finally {
    await context.close();
  }
  await admin.getByRole('link', { name: 'Groups' }).click();
  await group.getByRole('button', { name: 'Delete' }).click();
  await group.getByRole('button', { name: 'Yes, delete' }).click();
  await group.waitFor({ state: 'detached' });
});

test('a token gets a name and an expiry and is copied with a button; the site’s name and URL are set and cleared', async () => {
  const context = admin.context();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: new URL(web.pages).origin,
  });
  await admin.goto(`${web.pages}admin/tokens/`);
  await admin.getByLabel('Name (optional)').fill('release CI');
  await admin.getByLabel('Expires after days (empty: never)').fill('7');
  await admin.getByLabel('Your password').fill(DEFAULT_ADMIN.password);
  await admin.getByRole('button', { name: 'Create a token' }).click();
  const token = (await admin.locator('[data-token]').textContent()) ?? '';
  await admin.getByText(/Your new token “release CI”, valid until \d{4}-/).waitFor();
  await admin.getByRole('button', { name: 'Copy the token' }).click();
  await admin.getByRole('button', { name: 'Copy the token' }).filter({ hasText: 'Copied' }).waitFor();
  assert.equal(await admin.evaluate(() => navigator.clipboard.readText()), token);
  await admin.screenshot({ path: `${SCREENSHOT_DIR}/admin-tokens-copied.png` });

  await admin.getByRole('link', { name: 'Site' }).click();
  const url = admin.getByLabel('Public base URL (empty: img.conf’s)');
  await url.fill('javascript:alert(document.cookie)');
  await admin.getByRole('button', { name: 'Save' }).click();
  await admin.getByText(/must be an http:\/\/ or https:\/\/ URL with a host/).waitFor();
  await url.fill('https://admin:secret@img.example.org/');
  await admin.getByRole('button', { name: 'Save' }).click();
  await admin.getByText('must not hold a user name or password').waitFor();
  await admin.getByLabel(/^Name/).fill('Example Images');
  await url.fill('https://img.example.org/builds');
  await admin.getByRole('button', { name: 'Save' }).click();
  await admin.locator('[data-site-url]').getByText('https://img.example.org/builds/').waitFor();
  await admin.locator('[data-site-url]').getByText('(set here)').waitFor();
  await admin.reload();
  await admin.locator('header .brand', { hasText: 'Example Images' }).waitFor();
  await admin.screenshot({ path: `${SCREENSHOT_DIR}/admin-site.png` });

  await admin.getByRole('button', { name: 'Clear both (back to img.conf)' }).click();
  await admin
    .locator('[data-site-url]')
    .getByText(/the address the server listens on/)
    .waitFor();
  const site = (await apiFromPage(admin, 'GET', 'site')).body as { name: string; set: object };
  assert.deepEqual([site.name, site.set], ['IMG', { name: null, base_url: null }]);
});

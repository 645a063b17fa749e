// The web pages in Debian's chromium against a real server with no build slots, so every job waits IN QUEUE:
// logging in, submitting (and a refused kickstart), the queue's filters and pages, the job's actions, a long log,
// and the admin's sections. The real builds are in build.test.ts.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page, Request } from 'playwright-core';
import type { Job, JobPage } from '../../src/client/api-client.ts';
import { failure } from '../../src/contract/failure.ts';
import { openDatabase } from '../../src/service/db/index.ts';
import { localJobFolder as jobFolder } from '../../src/service/jobs/artifact-store.ts';
import { createJobService, logFileName } from '../../src/service/jobs/index.ts';
import {
  apiFromPage,
  closeWebTests,
  DEFAULT_ADMIN,
  logIn,
  newSession,
  openWebTests,
  screenshot,
  type WebServer,
} from './harness.ts';

let web: WebServer;
let browser: Browser;
let admin: Page;

before(async () => {
  ({ web, browser, page: admin } = await openWebTests({ buildSlots: 0 }));
});

after(() => closeWebTests(browser, web));

const jobs = async (page: Page, query = '') =>
  ((await apiFromPage(page, 'GET', `jobs${query}`)).body as JobPage).jobs;

/** The names in the job table, top to bottom. */
const jobNames = (page: Page) => page.locator('tbody tr td:first-child a:first-child').allTextContents();

const jobIdFromUrl = (page: Page) => decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');

async function openSubmit(page: Page, source: 'A ready template' | 'A kickstart file' | 'Paste a kickstart') {
  await page.getByRole('link', { name: 'Submit', exact: true }).click();
  await page.getByRole('radio', { name: source }).check();
}

test('the default admin logs in by keyboard, logs out, and the login comes back', async () => {
  await admin.goto(web.pages);
  await admin.getByLabel('User name').waitFor();
  await screenshot(admin, 'login');
  await logIn(admin, web.pages, DEFAULT_ADMIN);
  assert.match((await admin.locator('.whoami').textContent()) ?? '', /imager \(admin\)/);
  await admin.getByRole('button', { name: 'Log out' }).click();
  await admin.getByLabel('User name').waitFor();
  assert.equal((await apiFromPage(admin, 'GET', 'jobs')).status, 401, 'logged out on the server too');
  await logIn(admin, web.pages, DEFAULT_ADMIN);
});

test('a pasted bad kickstart shows its errors by line next to the text, and nothing is queued', async () => {
  await openSubmit(admin, 'Paste a kickstart');
  const badKickstart = [
    'lang en_US.UTF-8',
    'frobnicate --now',
    'timezone Etc/UTC',
    'part / --size=lots',
  ].join('\n');
  await admin.getByLabel('Kickstart text').fill(badKickstart);
  await admin.getByRole('button', { name: 'Submit' }).click();
  const errors = admin.locator('#kickstart-errors');
  await errors.waitFor();
  const text = (await errors.textContent()) ?? '';
  assert.match(text, /line 2/, text);
  assert.match(text, /line 4/, text);
  assert.deepEqual(await admin.locator('.ks-gutter .bad').allTextContents(), ['2', '4']);
  await errors.getByRole('button', { name: 'line 2' }).click();
  assert.equal(
    await admin
      .getByLabel('Kickstart text')
      .evaluate((area: HTMLTextAreaElement) => area.value.slice(area.selectionStart, area.selectionEnd)),
    'frobnicate --now',
    'choosing an error selects its line',
  );
  await screenshot(admin, 'submit-refused');
  assert.match(admin.url(), /\/img\/submit\/$/);
  assert.deepEqual(await jobs(admin), []);
});

test('a template (its hints pre-fill type and arch) and an uploaded kickstart (its tokens get fields) queue', async () => {
  await openSubmit(admin, 'A ready template');
  await admin.getByLabel('Template', { exact: true }).selectOption('debian-minimal');
  assert.equal(await admin.getByLabel('Image type').inputValue(), 'raw', 'SuggestedImageType');
  assert.equal(await admin.getByLabel('Architecture').inputValue(), 'x86_64', 'SuggestedArchitecture');
  await admin.getByLabel('Tags').fill('nightly, <b>not bold</b>');
  await admin.getByLabel('Notify e-mail').fill('dev@example.org');
  await screenshot(admin, 'submit-template');
  await admin.getByRole('button', { name: 'Submit' }).click();
  await admin.waitForURL(/\/img\/job\//);
  await admin.getByText('number 1 in line').waitFor();
  // This server has no build slot: the page says so instead of letting the job wait in silence.
  await admin.getByText('It cannot start now: no worker serves queue web.').waitFor();
  assert.equal(await admin.locator('b').count(), 0, 'a tag is shown as text, never as markup');
  await admin.getByText('nightly, <b>not_bold</b>').waitFor();
  await screenshot(admin, 'job-in-queue');

  await openSubmit(admin, 'A kickstart file');
  const kickstart = [
    'lang en_US.UTF-8',
    'timezone Etc/UTC',
    'rootpw --plaintext imager',
    'part / --fstype=ext4 --size=1024',
    'repo --name=extra --baseurl=http://repo.example.org/@FLAVOUR@/@RELEASE@/',
    '%packages',
    'systemd-sysv',
    '%end',
    '',
  ].join('\n');
  await admin.getByLabel('Kickstart file', { exact: true }).setInputFiles({
    name: 'uploaded-fs.ks',
    mimeType: 'text/plain',
    buffer: Buffer.from(kickstart),
  });
  await admin.getByLabel('@FLAVOUR@').fill('devel');
  assert.equal(await admin.getByLabel('@RELEASE@').getAttribute('placeholder'), 'default: latest');
  await admin.getByLabel('Image type').selectOption('fs');
  await admin.getByRole('button', { name: 'Add a repository' }).click();
  await admin.getByLabel('Extra repository 1').fill('http://repo.example.org/extra/');
  await admin.getByLabel('Extra packages').fill('vim, -nano');
  await admin.getByRole('button', { name: 'Submit' }).click();
  await admin.waitForURL(/\/img\/job\//);
  await admin.getByText('number 2 in line').waitFor();
  const uploaded = (await apiFromPage(admin, 'GET', `jobs/${jobIdFromUrl(admin)}`)).body as Job;
  assert.equal(uploaded.name, 'uploaded-fs', 'named after the file');
  assert.equal(uploaded.tokenmap, 'FLAVOUR:devel');
  assert.deepEqual(uploaded.extra_repos, ['http://repo.example.org/extra/']);
  assert.deepEqual(uploaded.packages, ['vim', '-nano']);
});

test('the queue filters by tag and name, pages, works with the back button and on a phone', async () => {
  for (let index = 0; index < 30; index++) {
    const created = await apiFromPage(admin, 'POST', 'jobs', {
      template: 'debian-minimal',
      type: 'fs',
      arch: 'x86_64',
      name: `filler-${index}`,
      queue: 'api',
    });
    assert.equal(created.status, 201);
  }
  await admin.getByRole('link', { name: 'Queue', exact: true }).click();
  const rows = admin.locator('tbody tr');
  await rows.nth(29).waitFor();
  assert.equal(await rows.count(), 30, 'thirty a page, as the original');
  await screenshot(admin, 'queue');

  await admin.getByRole('link', { name: 'Older' }).click();
  await admin.waitForURL(/page=2/);
  await admin.getByRole('link', { name: 'debian-minimal' }).waitFor();
  assert.equal(await rows.count(), 2);
  await admin.goBack();
  await admin.getByRole('link', { name: 'filler-29' }).waitFor();

  await admin.getByLabel('Tag').fill('nightly');
  await admin.getByRole('button', { name: 'Filter' }).click();
  await admin.waitForURL(/tag=nightly/);
  await admin.getByRole('link', { name: 'filler-29' }).waitFor({ state: 'detached' });
  await admin.getByRole('link', { name: 'debian-minimal' }).waitFor();
  assert.deepEqual(await jobNames(admin), ['debian-minimal']);
  await admin.goBack();
  await admin.getByRole('link', { name: 'filler-29' }).waitFor();

  await admin.getByLabel('Name or ID').fill('uploaded');
  await admin.keyboard.press('Enter');
  await admin.getByRole('link', { name: 'filler-29' }).waitFor({ state: 'detached' });
  await admin.getByRole('link', { name: 'uploaded-fs' }).waitFor();
  assert.deepEqual(await jobNames(admin), ['uploaded-fs']);

  await admin.getByRole('navigation', { name: 'Queues' }).getByRole('link', { name: 'web' }).click();
  await admin.waitForURL(/\/img\/queue\/web\/$/);
  await admin.getByRole('heading', { name: 'web image creation queue' }).waitFor();
  await admin.getByRole('link', { name: 'debian-minimal' }).waitFor();
  assert.equal(await rows.count(), 2);

  await admin.setViewportSize({ width: 390, height: 844 });
  await screenshot(admin, 'queue-phone');
  await admin.getByRole('link', { name: 'uploaded-fs' }).click();
  await admin.getByText('number 2 in line').waitFor();
  await screenshot(admin, 'job-phone');
  await admin.setViewportSize({ width: 1280, height: 900 });
});

test('cancel, retry and pin from the job page; a pinned job shows no delete and the server refuses it', async () => {
  const [template] = await jobs(admin, '?text=debian-minimal&queue=web');
  assert.ok(template);
  await admin.goto(`${web.pages}job/${template.id}`);
  await admin.getByRole('button', { name: 'Cancel' }).click();
  await admin.getByRole('button', { name: 'Yes, cancel' }).click();
  await admin.locator('h1 .status', { hasText: 'CANCELLED' }).waitFor();

  await admin.getByRole('button', { name: 'Retry' }).click();
  await admin.waitForURL((url) => !url.pathname.endsWith(template.id));
  await admin.locator('h1 .status', { hasText: 'IN QUEUE' }).waitFor();
  const job = async (id: string) => (await apiFromPage(admin, 'GET', `jobs/${id}`)).body as Job;
  const retried = await job(jobIdFromUrl(admin));
  assert.equal(retried.name, template.name);
  assert.equal(retried.kickstart, (await job(template.id)).kickstart);
  assert.equal(retried.retry_of, template.id);
  await admin.getByRole('link', { name: template.id }).waitFor();

  // Edit and resubmit: the Submit form, filled from the job, sends it again as changed.
  await admin.getByRole('link', { name: 'Edit and resubmit' }).click();
  await admin.waitForURL(/\/img\/submit\/\?from=/);
  const text = admin.getByLabel('Kickstart text');
  await admin.waitForFunction(
    (expected) =>
      (document.getElementById('kickstart-text') as HTMLTextAreaElement | null)?.value === expected,
    retried.kickstart,
  );
  assert.equal(await text.inputValue(), retried.kickstart);
  assert.equal(await admin.getByLabel('Name').inputValue(), retried.name);
  await admin.getByLabel('Name').fill('edited');
  await admin.getByLabel(/^Fresh build/).check();
  await admin.getByRole('button', { name: 'Submit' }).click();
  await admin.waitForURL(/\/img\/job\//);
  const edited = await job(jobIdFromUrl(admin));
  assert.deepEqual(
    [edited.name, edited.kickstart, edited.type, edited.arch, edited.queue, edited.fresh],
    ['edited', retried.kickstart, retried.type, retried.arch, retried.queue, true],
  );
  assert.equal((await apiFromPage(admin, 'DELETE', `jobs/${edited.id}`)).status, 204);
  await admin.goto(`${web.pages}job/${retried.id}`);
  await admin.locator('h1 .status', { hasText: 'IN QUEUE' }).waitFor();

  await admin.getByRole('button', { name: 'Pin' }).click();
  await admin.getByRole('button', { name: 'Unpin' }).waitFor();
  assert.equal(await admin.getByRole('button', { name: 'Delete' }).count(), 0);
  await admin.getByText('cannot be deleted').waitFor();
  const refused = await apiFromPage(admin, 'DELETE', `jobs/${retried.id}`);
  assert.equal(refused.status, 409);
  assert.equal((refused.body as { error: string }).error, 'pinned-job');
});

test('a log of 300,000 lines loads in seconds and keeps only the visible lines in the page', async () => {
  const [cancelled] = await jobs(admin, '?status=CANCELLED');
  assert.ok(cancelled);
  const folder = jobFolder(web.baseDir, cancelled);
  mkdirSync(folder, { recursive: true });
  const lines = Array.from(
    { length: 300_000 },
    (_, index) => `line ${index + 1}: <i>installing</i> package-${index}`,
  );
  writeFileSync(join(folder, logFileName(cancelled)), `${lines.join('\n')}\n`);

  const started = Date.now();
  await admin.goto(`${web.pages}job/${cancelled.id}#log`);
  await admin.getByText('300,000 lines').waitFor({ timeout: 30_000 });
  const loadMs = Date.now() - started;
  assert.ok(loadMs < 15_000, `the log took ${loadMs} ms`);
  const rendered = await admin.locator('.log-line').count();
  assert.ok(rendered > 0 && rendered < 300, `${rendered} rows in the page`);
  await admin.getByText('line 300000: <i>installing</i> package-299999').waitFor();
  await admin.getByRole('log').evaluate((view) => {
    view.scrollTop = 0;
  });
  await admin.locator('.log-line', { hasText: /^\s*1line 1: <i>installing<\/i> package-0$/ }).waitFor();
  assert.equal(await admin.locator('.log-view i').count(), 0, 'log lines are text, never markup');
  await screenshot(admin, 'job-long-log');
});

test('the admin manages queues, users, groups and tokens; a new user cannot delete the admin’s job', async () => {
  await admin.getByRole('link', { name: 'Admin' }).click();
  await admin.getByRole('heading', { name: 'Admin: Image jobs' }).waitFor();
  await admin.getByRole('link', { name: 'filler-0' }).waitFor();
  await screenshot(admin, 'admin-jobs');

  await admin.getByRole('link', { name: 'Queues' }).click();
  await admin.getByLabel('Name', { exact: true }).fill('nightly');
  await admin.getByLabel('Description', { exact: true }).fill('builds every night');
  await admin.getByRole('button', { name: 'Add queue' }).click();
  await admin.getByLabel('Description of nightly').waitFor();
  await admin.getByLabel('Description of nightly').fill('the nightly builds');
  const nightlyRow = admin.locator('tr', { has: admin.getByLabel('Description of nightly') });
  await nightlyRow.getByRole('button', { name: 'Save' }).click();
  await screenshot(admin, 'admin-queues');
  await nightlyRow.getByRole('button', { name: 'Delete' }).click();
  await nightlyRow.getByRole('button', { name: 'Yes, delete' }).click();
  await admin.getByLabel('Description of nightly').waitFor({ state: 'detached' });
  const webRow = admin.locator('tr', { has: admin.getByLabel('Description of web') });
  await webRow.getByRole('button', { name: 'Delete' }).click();
  await webRow.getByRole('button', { name: 'Yes, delete' }).click();
  await webRow.getByText('still holds jobs').waitFor();

  await admin.getByRole('link', { name: 'Users' }).click();
  await admin.getByLabel('User name').fill('alice');
  await admin.getByLabel('Password', { exact: true }).fill('first-password');
  await admin.getByLabel('E-mail', { exact: true }).fill('alice@example.org');
  await admin.getByRole('button', { name: 'Add user' }).click();
  const alice = admin.locator('tr[data-username="alice"]');
  await alice.getByRole('button', { name: 'Make admin' }).click();
  await alice.getByText('admin', { exact: true }).waitFor();
  await alice.getByRole('button', { name: 'Remove admin' }).click();
  await alice.getByRole('button', { name: 'Make admin' }).waitFor();
  await alice.getByLabel('New password for alice').fill('alice-password');
  await alice.getByRole('button', { name: 'Reset' }).click();
  await screenshot(admin, 'admin-users');

  await admin.getByRole('link', { name: 'Groups' }).click();
  await admin.getByLabel('Name', { exact: true }).fill('testers');
  await admin.getByLabel('Members (comma-separated user names)').fill('alice');
  await admin.getByRole('button', { name: 'Add group' }).click();
  await admin.getByRole('heading', { name: 'testers' }).waitFor();
  await screenshot(admin, 'admin-groups');

  await admin.getByRole('link', { name: 'My API tokens' }).click();
  await admin.getByLabel('Name (optional)').fill('nightly CI');
  await admin.getByLabel('Expires after days (empty: never)').fill('30');
  await admin.getByLabel('Your password').fill(DEFAULT_ADMIN.password);
  await admin.getByRole('button', { name: 'Create a token' }).click();
  const token = (await admin.locator('[data-token]').textContent()) ?? '';
  const row = admin.locator('tr', { hasText: 'nightly CI' });
  await row.waitFor();
  assert.doesNotMatch((await row.locator('td[data-label="Expires"]').textContent()) ?? '', /never/);
  const listed = await fetch(`${web.server.url}api/v1/jobs?limit=1`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(listed.status, 200, 'the new token works for scripts');
  await screenshot(admin, 'admin-tokens');
  await admin.getByRole('button', { name: 'Revoke' }).click();
  await admin.getByRole('button', { name: 'Yes, revoke' }).click();
  await admin.getByText('You have no API tokens.').waitFor();

  const { page: alicePage, context } = await newSession(browser);
  try {
    await logIn(alicePage, web.pages, { username: 'alice', password: 'alice-password' });
    assert.equal(await alicePage.getByRole('link', { name: 'Admin' }).count(), 0);
    await alicePage.getByRole('link', { name: 'My account' }).click();
    await alicePage.getByRole('link', { name: 'My password' }).click();
    await alicePage.getByLabel('Current password').fill('alice-password');
    await alicePage.getByLabel('New password', { exact: true }).fill('alice-password-2');
    await alicePage.getByLabel('New password again').fill('alice-password-2');
    await alicePage.getByRole('button', { name: 'Change password' }).click();
    await alicePage.getByText('Your password is changed').waitFor();
    await screenshot(alicePage, 'own-password');
    assert.equal((await apiFromPage(alicePage, 'GET', 'session')).status, 200, 'this session stays');
    assert.equal((await apiFromPage(admin, 'GET', 'session')).status, 200, "the admin's is not touched");
    await alicePage.getByRole('link', { name: 'Queue', exact: true }).click();
    await alicePage.getByRole('link', { name: 'Mine' }).click();
    await alicePage.getByRole('heading', { name: "alice's images" }).waitFor();
    await alicePage.getByRole('heading', { name: 'No images here yet' }).waitFor();
    const [adminJob] = await jobs(alicePage, '?owner=imager');
    assert.ok(adminJob);
    await alicePage.goto(`${web.pages}job/${adminJob.id}`);
    await alicePage.getByRole('heading', { name: 'Details' }).waitFor();
    assert.equal(
      await alicePage.getByRole('region', { name: 'Actions' }).count(),
      0,
      'no actions on others’ jobs',
    );
    await screenshot(alicePage, 'job-of-another-user');
    const refused = await apiFromPage(alicePage, 'DELETE', `jobs/${adminJob.id}`);
    assert.equal(refused.status, 403);
  } finally {
    await context.close();
  }
});

test('the API documentation renders under its content security policy', async () => {
  const { page, context } = await newSession(browser);
  try {
    const refusals: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refusals.push(message.text());
    });
    const response = await page.goto(`${web.server.url}api/docs/`);
    assert.match(response?.headers()['content-security-policy'] ?? '', /frame-ancestors 'none'/);
    await page.locator('.opblock').first().waitFor();
    assert.ok((await page.locator('.opblock').count()) > 20, 'the operations are listed');
    await screenshot(page, 'api-docs');
    assert.deepEqual(refusals, []);
  } finally {
    await context.close();
  }
});

test('the queue and job pages show changes as they come, from this server and from another process', async () => {
  const database = await openDatabase({ url: '', dataDir: web.server.service.config.db.data_dir });
  const elsewhere = createJobService(database);
  try {
    assert.equal(
      (await apiFromPage(admin, 'PUT', 'queues/live', { description: '', starts_builds: true })).status,
      200,
    );
    let listRequests = 0;
    const countLists = (request: Request) => {
      if (request.method() === 'GET' && /\/api\/v1\/jobs\?/.test(request.url())) listRequests++;
    };
    admin.on('request', countLists);
    await admin.goto(`${web.pages}queue/live/`);
    await admin.getByText('No jobs match.').waitFor();

    const submitted = await apiFromPage(admin, 'POST', 'jobs', {
      template: 'debian-minimal',
      type: 'fs',
      arch: 'x86_64',
      name: 'watched-live',
      queue: 'live',
    });
    const { id } = submitted.body as Job;
    const status = admin.locator(`tr[data-job-id="${id}"] .status`);
    await status.filter({ hasText: 'IN QUEUE' }).waitFor();
    await elsewhere.claimById(id, 'remote-worker');
    await status.filter({ hasText: 'BUILDING' }).waitFor();
    await elsewhere.finish(id, 'remote-worker', { artifacts: [] });
    await status.filter({ hasText: 'DONE' }).waitFor();
    await screenshot(admin, 'queue-live');
    await apiFromPage(admin, 'DELETE', `jobs/${id}`);
    await admin.getByText('No jobs match.').waitFor();
    admin.off('request', countLists);
    // The first list, one more when the stream connects, then one for each change; a poll every 3 s would add
    // more, the 30 s safety poll none in a test this short.
    assert.ok(listRequests <= 6, `${listRequests} lists asked for`);

    const waiting = (
      await apiFromPage(admin, 'POST', 'jobs', {
        template: 'debian-minimal',
        type: 'fs',
        arch: 'x86_64',
        name: 'watched-job',
        queue: 'live',
      })
    ).body as Job;
    await admin.goto(`${web.pages}job/${waiting.id}`);
    await admin.locator('h1 .status', { hasText: 'IN QUEUE' }).waitFor();
    await elsewhere.claimById(waiting.id, 'remote-worker');
    await admin.locator('h1 .status', { hasText: 'BUILDING' }).waitFor();
    await elsewhere.fail(waiting.id, 'remote-worker', failure('out-of-space', 'the disk is full'));
    await admin.getByText('the disk is full').waitFor();
  } finally {
    await database.close();
  }
});

test('a queue without worker or with builds off is marked on Submit and on the job; Admin shows the workers', async () => {
  const { jobs, queues } = web.server.service;
  await queues.put({ name: 'paused', description: 'switched off', startsBuilds: false });
  await openSubmit(admin, 'A ready template');
  const option = (name: string) => admin.locator(`#queue option[value="${name}"]`);
  assert.match((await option('web').textContent()) ?? '', /— no worker$/);
  assert.match((await option('paused').textContent()) ?? '', /— builds off$/);
  await admin.getByLabel('Queue').selectOption('paused');
  await admin.getByText('Jobs would wait: builds in queue paused are switched off by an admin.').waitFor();
  await admin.getByLabel('Template', { exact: true }).selectOption('debian-minimal');
  await admin.getByRole('button', { name: 'Submit' }).click();
  await admin.waitForURL(/\/img\/job\//);
  await admin
    .getByText('It cannot start now: builds in queue paused are switched off by an admin.')
    .waitFor();
  await screenshot(admin, 'job-blocked-builds-off');

  // A worker (the test's own beat) serving web: the Submit form stops marking it, Admin lists it.
  await jobs.workers.beat({
    id: 'test-worker-1',
    host: '<i>builder</i>.example',
    slots: 3,
    busy: 1,
    queues: ['web'],
    version: '0.1.0',
    started: new Date().toISOString(),
  });
  await openSubmit(admin, 'A ready template');
  assert.doesNotMatch((await option('web').textContent()) ?? '', /no worker/);
  await admin.goto(`${web.pages}admin/workers/`);
  const row = admin.locator('tr[data-worker-id="test-worker-1"]');
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', /<i>builder<\/i>\.example.*1 \/ 3.*web.*0\.1\.0/);
  assert.equal(await admin.locator('i').count(), 0, 'a host name is text, never markup');
  const paused = admin.locator('tr[data-queue="paused"]');
  assert.match((await paused.textContent()) ?? '', /paused.*off.*none.*1.*0/);
  await screenshot(admin, 'admin-workers');
  await jobs.workers.leave('test-worker-1');
});

test('a token’s name and a queue’s description are shown as text, never as markup', async () => {
  const markup = '<img src=x onerror="window.pwned=1"><b>bold</b>';
  const created = await apiFromPage(admin, 'POST', 'tokens', { ...DEFAULT_ADMIN, name: markup });
  assert.ok(created.status >= 200 && created.status < 300, JSON.stringify(created.body));
  await web.server.service.queues.put({ name: 'marked', description: markup, startsBuilds: true });
  try {
    await admin.goto(`${web.pages}admin/tokens/`);
    await admin.locator('td[data-label="Name"]', { hasText: markup }).waitFor();
    await openSubmit(admin, 'A ready template');
    assert.equal(
      await admin.locator('#queue option[value="marked"]').textContent(),
      `marked (${markup}) — no worker`,
    );
    assert.equal(await admin.locator('b, img[src="x"]').count(), 0, 'no element was made of the text');
    assert.equal(await admin.evaluate(() => 'pwned' in window), false, 'no handler of the text ran');
  } finally {
    await web.server.service.queues.remove('marked');
  }
});

test('a failure of a class this page does not know (a newer server’s) is shown as text, the page unbroken', async () => {
  const database = await openDatabase({ url: '', dataDir: web.server.service.config.db.data_dir });
  const elsewhere = createJobService(database);
  try {
    const { id } = (
      await apiFromPage(admin, 'POST', 'jobs', {
        template: 'debian-minimal',
        type: 'fs',
        arch: 'x86_64',
        name: 'newer-failure',
      })
    ).body as Job;
    await elsewhere.claimById(id, 'remote-worker');
    await elsewhere.fail(id, 'remote-worker', failure('internal', 'over quota', null, {}));
    // The job as a newer server sends it: a class and an owner unknown here, and a detail too.
    await admin.route(`**/api/v1/jobs/${id}`, async (route) => {
      const response = await route.fetch();
      const job = (await response.json()) as Job;
      const error = { ...job.error, class: 'quota-exceeded', owner: 'billing', details: { quota: 3 } };
      await route.fulfill({ response, json: { ...job, error } });
    });
    await admin.goto(`${web.pages}job/${id}`);
    const box = admin.getByRole('status', { name: 'Why the job failed' });
    await box.getByText('quota-exceeded').first().waitFor();
    const shown = (await box.textContent()) ?? '';
    assert.match(shown, /over quota/);
    assert.match(shown, /does not know \("quota-exceeded"\)/);
  } finally {
    // After any answer still being altered (the page asks again as the job changes): removed under it, that
    // answer would be sent as it was, and the handler's own would fail after the test.
    await admin.unrouteAll({ behavior: 'wait' });
    await database.close();
  }
});

// A newcomer's way in the pages, in Debian's chromium against a real server with no build slots: the first-run
// banner and the first-build prompt, a DONE job (finished here, as a worker would) with its result first, a share
// link downloaded in a second browser without a login and refused once revoked or expired, and a self-service
// password change that ends the banner.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Job } from '../../src/client/api-client.ts';
import { type DatabaseHandle, openDatabase } from '../../src/service/db/index.ts';
import { localJobFolder } from '../../src/service/jobs/artifact-store.ts';
import { createJobService, type JobService } from '../../src/service/jobs/index.ts';
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
let database: DatabaseHandle;
/** The jobs service of "another machine": a worker that finishes the job the page shows. */
let worker: JobService;
let doneId: string;
const image = Buffer.from('a bootable disk, as far as this test knows\n'.repeat(1000));
const imageSha = createHash('sha256').update(image).digest('hex');

before(async () => {
  ({ web, browser, page: admin } = await openWebTests({ buildSlots: 0 }));
  await admin.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: web.server.url });
  database = await openDatabase({ url: '', dataDir: web.server.service.config.db.data_dir });
  worker = createJobService(database);
});

after(async () => {
  await database?.close();
  await closeWebTests(browser, web);
});

/** A second browser of its own, never logged in: someone the link was sent to. */
async function stranger() {
  return newSession(browser);
}

test('first run: the admin is warned of the default password, and an empty queue offers a first build', async () => {
  await logIn(admin, web.pages, DEFAULT_ADMIN);
  const banner = admin.getByRole('alert').filter({ hasText: 'still has the default password' });
  await banner.waitFor();
  assert.match((await banner.textContent()) ?? '', /imager still has the default password/);
  await admin.getByRole('heading', { name: 'No images here yet' }).waitFor();
  await screenshot(admin, 'first-run');
  await admin.getByRole('link', { name: 'Build Debian 12 minimal disk image' }).click();
  await admin.waitForURL(/\/img\/submit\/\?template=debian-minimal$/);
  await admin.getByLabel('Image type').filter({ hasText: 'raw' }).waitFor();
  assert.equal(await admin.getByLabel('Template', { exact: true }).inputValue(), 'debian-minimal');
  assert.equal(await admin.getByLabel('Image type').inputValue(), 'raw', "the template's hint came along");
  await admin.goto(`${web.pages}submit/?template=debian-server`);
  await admin.getByLabel('Template', { exact: true }).waitFor();
  await admin.waitForFunction(
    () => (document.getElementById('template') as HTMLSelectElement | null)?.value === 'debian-server',
  );
});

test('a DONE job shows its result first: image, size, checksum to copy, how to boot it, who logs in', async () => {
  const submitted = await apiFromPage(admin, 'POST', 'jobs', {
    template: 'debian-minimal',
    type: 'raw',
    arch: 'x86_64',
    name: 'first-disk',
  });
  assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
  const job = submitted.body as Job;
  await worker.claimById(job.id, 'remote-worker');
  const folder = localJobFolder(web.baseDir, job);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'first-disk-sda.raw'), image);
  writeFileSync(join(folder, 'first-disk.packages'), 'bash\n');
  writeFileSync(join(folder, 'first-disk.log'), 'the log stays private\n');
  await worker.finish(job.id, 'remote-worker', {
    artifacts: [
      { name: 'first-disk-sda.raw', size: image.length, sha256: imageSha, main: true },
      { name: 'first-disk.packages', size: 5, sha256: 'p', main: false },
      { name: 'first-disk.log', size: 22, sha256: 'l', main: false },
    ],
    builtKickstart: `${job.kickstart}\nuser --name=dev --password=dev-secret-pw\n`,
  });
  doneId = job.id;

  await admin.goto(`${web.pages}job/${job.id}`);
  const result = admin.locator('section.result');
  await result.getByRole('heading', { name: 'Your image' }).waitFor();
  assert.equal(
    await admin.locator('main section.panel').first().getAttribute('aria-labelledby'),
    'job-result',
    'the result is the first panel of the page',
  );
  const resultTop = (await result.boundingBox())?.y ?? Number.POSITIVE_INFINITY;
  assert.ok(resultTop < 900, `the result is above the fold (at ${resultTop} px)`);
  const text = (await result.textContent()) ?? '';
  assert.match(text, /42\.0 KiB/);
  assert.match(text, new RegExp(imageSha));
  assert.match(text, /qemu-system-x86_64 -m 1024 -nographic -drive file=first-disk-sda\.raw,format=raw/);
  assert.match(text, /-bios \/usr\/share\/ovmf\/OVMF\.fd/, 'the UEFI line');
  assert.match(text, /dd if=first-disk-sda\.raw of=\/dev\/sdX/);
  assert.match(text, /root: the password set by the kickstart/);
  assert.match(text, /the password the kickstart sets for each: dev/);
  assert.doesNotMatch(text, /dev-secret-pw|imager\b/, 'no password is printed');
  await result.getByRole('button', { name: 'Copy the SHA-256' }).click();
  await result.getByRole('button', { name: 'Copy the SHA-256' }).filter({ hasText: 'Copied' }).waitFor();
  assert.equal(await admin.evaluate(() => navigator.clipboard.readText()), imageSha);
  await screenshot(admin, 'job-done-result');

  const [download] = await Promise.all([
    admin.waitForEvent('download'),
    result.getByRole('link', { name: 'Download first-disk-sda.raw' }).click(),
  ]);
  assert.equal(
    createHash('sha256')
      .update(readFileSync(await download.path()))
      .digest('hex'),
    imageSha,
  );
});

/** Makes a link on the job page and reads its address from the page. */
async function makeLink(lifetime: string): Promise<string> {
  await admin.goto(`${web.pages}job/${doneId}`);
  await admin.getByLabel('Link works for').selectOption({ label: lifetime });
  await admin.getByRole('button', { name: 'Make a share link' }).click();
  const address = (await admin.locator('.share-url').textContent()) ?? '';
  assert.match(address, /\/img\/share\/imgs_[A-Za-z0-9_-]{43}$/);
  return address;
}

test('a share link downloads in a second browser without a login, Range included; revoked, it is refused', async () => {
  const address = await makeLink('1 day');
  await admin.getByRole('button', { name: 'Copy the share link' }).click();
  assert.equal(await admin.evaluate(() => navigator.clipboard.readText()), address);
  await screenshot(admin, 'job-share-links');

  const { context, page } = await stranger();
  try {
    await page.goto(address);
    await page.getByRole('heading', { name: 'first-disk' }).waitFor();
    assert.equal((await page.request.get(`${web.server.url}api/v1/session`)).status(), 401, 'not logged in');
    assert.equal(await page.getByRole('button', { name: 'Log out' }).count(), 0);
    await page.getByRole('link', { name: 'first-disk.packages' }).waitFor();
    assert.equal(await page.getByText('first-disk.log').count(), 0, 'the log is not shared');
    await screenshot(page, 'share-download');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download first-disk-sda.raw' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'first-disk-sda.raw');
    assert.equal(
      createHash('sha256')
        .update(readFileSync(await download.path()))
        .digest('hex'),
      imageSha,
    );
    const fileUrl = `${web.server.url}api/v1/share/${address.split('/').pop()}/first-disk-sda.raw`;
    const part = await page.request.get(fileUrl, { headers: { range: 'bytes=0-5' } });
    assert.equal(part.status(), 206);
    assert.equal(await part.text(), 'a boot');

    await admin.locator('table.share-links').getByRole('button', { name: 'Revoke' }).click();
    await admin.getByRole('button', { name: 'Yes, revoke' }).click();
    await admin.locator('table.share-links').waitFor({ state: 'detached' });
    await page.reload();
    await page.getByText('this share link does not exist, has expired or was revoked').waitFor();
    await screenshot(page, 'share-revoked');
    assert.equal((await page.request.get(fileUrl)).status(), 404);
  } finally {
    await context.close();
  }
});

test('an expired share link is refused, to the page and to the download', async () => {
  const address = await makeLink('1 hour');
  const token = address.split('/').pop() ?? '';
  // An hour passes: the link's row is made to have expired a second ago, as the clock would leave it.
  const past = new Date(Date.now() - 1000).toISOString();
  await database.db.updateTable('share_links').set({ expires: past }).execute();
  const { context, page } = await stranger();
  try {
    await page.goto(address);
    await page.getByText('this share link does not exist, has expired or was revoked').waitFor();
    const fileUrl = `${web.server.url}api/v1/share/${token}/first-disk-sda.raw`;
    assert.equal((await page.request.get(fileUrl)).status(), 404);
    await admin.reload();
    await admin.getByRole('heading', { name: 'Share' }).waitFor();
    assert.equal(await admin.locator('table.share-links').count(), 0, 'an expired link is not listed');
  } finally {
    await context.close();
  }
});

test('the admin changes their own password; the banner goes, and only the new password logs in', async () => {
  await admin.getByRole('link', { name: 'Change your password now' }).click();
  await admin.getByLabel('Current password').fill(DEFAULT_ADMIN.password);
  await admin.getByLabel('New password', { exact: true }).fill('a-much-better-one');
  await admin.getByLabel('New password again').fill('a-much-better-one');
  await screenshot(admin, 'password-change-form');
  await admin.getByRole('button', { name: 'Change password' }).click();
  await admin.getByText('Your password is changed').waitFor();
  await admin.getByText('still has the default password').waitFor({ state: 'detached' });
  await screenshot(admin, 'password-changed');

  const { context, page } = await stranger();
  try {
    await page.goto(web.pages);
    await page.getByLabel('User name').fill(DEFAULT_ADMIN.username);
    await page.getByLabel('Password').fill(DEFAULT_ADMIN.password);
    await page.keyboard.press('Enter');
    await page.getByText('wrong user name or password').waitFor();
    await logIn(page, web.pages, { username: DEFAULT_ADMIN.username, password: 'a-much-better-one' });
    assert.equal(await page.getByText('still has the default password').count(), 0);
  } finally {
    await context.close();
  }
});

test('a directory user is sent to the directory for a new password, and offered no form', async () => {
  const added = await apiFromPage(admin, 'POST', 'users', { username: 'dora', password: 'dora-password' });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const { context, page } = await stranger();
  try {
    await logIn(page, web.pages, { username: 'dora', password: 'dora-password' });
    // As an LDAP login leaves her account (the directory itself is ldap.test.ts's): IMG keeps no password of hers.
    await database.db
      .updateTable('users')
      .set({ ldap: 1, password_hash: '' })
      .where('username', '=', 'dora')
      .execute();
    await page.goto(`${web.pages}admin/password/`);
    await page.getByText("Your password lives in your organisation's LDAP directory").waitFor();
    assert.equal(await page.getByLabel('Current password').count(), 0);
    await screenshot(page, 'password-ldap');
  } finally {
    await context.close();
  }
});

// The submit page's help and form state, and the pages' polish, in Debian's chromium against a real server with
// no build slots: the help beside the form (below it on a phone) follows the choices and gives the command
// lines; switching source leaves nothing of the old one; YAML has line numbers and a kickstarter folder's files
// go with it; the dark theme follows the system; small things on the login, job and admin pages.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Job } from '../../src/client/api-client.ts';
import {
  apiFromPage,
  buildPages,
  closeWebTests,
  DEFAULT_ADMIN,
  launchBrowser,
  logIn,
  newSession,
  screenshot,
  startServer,
  type WebServer,
} from './harness.ts';

let web: WebServer;
let browser: Browser;
let page: Page;
let folders: string;

before(async () => {
  buildPages();
  web = await startServer({ buildSlots: 0 });
  browser = await launchBrowser();
  const session = await newSession(browser);
  await session.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  page = session.page;
  await logIn(page, web.pages, DEFAULT_ADMIN);
  folders = mkdtempSync(join(tmpdir(), 'img-submit-help-'));
});

after(async () => {
  rmSync(folders, { recursive: true, force: true });
  await closeWebTests(browser, web);
});

async function openSubmit(source: string) {
  await page.getByRole('link', { name: 'Submit' }).click();
  await page.getByRole('radio', { name: source }).check();
}

const help = () => page.locator('aside.submit-help');
const chosenIn = async (heading: string) =>
  help()
    .locator('details', { has: page.getByRole('heading', { name: heading, exact: true }) })
    .locator('.chosen dt')
    .textContent();

test('the help beside Submit explains the choices, follows them, and gives imger and curl lines to copy', async () => {
  await openSubmit('A ready template');
  await page.getByLabel('Template', { exact: true }).selectOption('debian-server');

  // Beside the form on a laptop screen, its top level with the form's.
  const form = await page.locator('form.submit-form').boundingBox();
  const aside = await help().boundingBox();
  assert.ok(form && aside, 'both are shown');
  assert.ok(aside.x >= form.x + form.width, 'the help is right of the form');
  assert.ok(Math.abs(aside.y - form.y) < 80, 'and beside it, not below');

  // The template's own words, from its header; every image type described, the chosen one marked.
  await help().getByRole('heading', { name: 'What “Debian 12 small server (ssh)” builds' }).waitFor();
  await help()
    .getByText(/A small Debian 12 \(bookworm\) server reachable over ssh/)
    .waitFor();
  for (const type of ['fs', 'loop', 'raw', 'qcow2', 'vmdk', 'vdi', 'livecd', 'liveusb'])
    await help()
      .locator('dt', { hasText: new RegExp(`^${type}\\b`) })
      .waitFor();
  assert.match((await chosenIn('Image type')) ?? '', /^raw/);
  await page.getByLabel('Image type').selectOption('qcow2');
  assert.match((await chosenIn('Image type')) ?? '', /^qcow2/);
  assert.match((await chosenIn('Architecture')) ?? '', /^x86_64/);
  assert.match((await chosenIn('Kickstart')) ?? '', /^A ready template/);

  // The lines follow the form, quoted for a shell whatever is typed.
  await page.getByLabel('Name', { exact: true }).fill('my-server');
  await page.getByLabel('Tags').fill("it's, $(id)");
  const imger = page.locator('#command-imger');
  const curl = page.locator('#command-curl');
  await imger.getByText('--name=my-server').waitFor();
  const imgerLine = (await imger.textContent()) ?? '';
  assert.match(
    imgerLine,
    /^imger submit --server=http:\/\/127\.0\.0\.1:\d+\/ --template=debian-server --type=qcow2/,
  );
  assert.ok(imgerLine.includes(`'--tag=it'\\''s' '--tag=$(id)'`), imgerLine);
  assert.match((await curl.textContent()) ?? '', /"template":"debian-server"/);
  await screenshot(page, 'submit-help-beside-form');

  await page.getByRole('button', { name: 'Copy the imger command' }).click();
  await page.getByRole('button', { name: 'Copy the imger command' }).getByText('Copied').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), imgerLine);
  await page.getByRole('button', { name: 'Copy the curl command' }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await curl.textContent());

  // A part folds away, and opens again.
  const typeHelp = help().locator('dt', { hasText: /^vmdk/ });
  await help().getByRole('heading', { name: 'Image type', exact: true }).click();
  await typeHelp.waitFor({ state: 'hidden' });
  await help().getByRole('heading', { name: 'Image type', exact: true }).click();
  await typeHelp.waitFor();

  // The documentation link leads to the API's documentation page.
  const docs = await help().getByRole('link', { name: 'the API documentation' }).getAttribute('href');
  assert.equal(docs, '/api/docs');
  const answer = await page.request.get(new URL(docs, web.pages).href);
  assert.equal(answer.status(), 200);

  // A pasted kickstart: the lines say which file imger reads, and curl carries the text itself.
  await page.getByRole('radio', { name: 'Paste a kickstart' }).check();
  await page.getByLabel('Kickstart text').fill('lang C\n');
  await imger.getByText('--kickstart=kickstart.ks').waitFor();
  await help().getByText('kickstart.ks', { exact: true }).waitFor();
  assert.match((await curl.textContent()) ?? '', /"kickstart":"lang C\\n"/);
});

test('on a phone the help comes below the form', async () => {
  await page.setViewportSize({ width: 390, height: 800 });
  try {
    await openSubmit('A ready template');
    const form = await page.locator('form.submit-form').boundingBox();
    const aside = await help().boundingBox();
    assert.ok(form && aside);
    assert.ok(aside.y >= form.y + form.height, 'below the form');
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= 390, `no sideways scrolling (${scrollWidth}px)`);
    await screenshot(page, 'submit-help-phone');
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
});

test('switching source leaves nothing of the old one: type, arch, tokens, name, YAML', async () => {
  await openSubmit('A ready template');
  await page.getByLabel('Template', { exact: true }).selectOption('mer-device');
  assert.equal(await page.getByLabel('Image type').inputValue(), 'loop');
  assert.equal(await page.getByLabel('Architecture').inputValue(), 'armv7hl');
  await page.getByLabel('@NAME@').fill('device');
  await page.getByLabel('Name', { exact: true }).fill('from-template');

  await page.getByRole('radio', { name: 'A kickstart file' }).check();
  assert.equal(await page.getByLabel('Image type').inputValue(), 'fs', 'the first type, not the template’s');
  assert.equal(await page.getByLabel('Architecture').inputValue(), 'x86_64');
  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), '');
  assert.equal(await page.getByLabel('@NAME@').count(), 0);

  await page.getByRole('radio', { name: 'Kickstarter YAML' }).check();
  await page.getByLabel('Image type').selectOption('livecd');
  await page.getByLabel('configurations.yaml').fill('Configurations:\n  - FileName: a\n');
  await page.getByRole('radio', { name: 'Paste a kickstart' }).check();
  assert.equal(await page.getByLabel('Image type').inputValue(), 'fs', 'livecd is not kept');
  await page.getByRole('radio', { name: 'Kickstarter YAML' }).check();
  assert.equal(await page.getByLabel('configurations.yaml').inputValue(), '', 'nor is the YAML');

  // Back to templates: the first template's hints again.
  await page.getByRole('radio', { name: 'A ready template' }).check();
  assert.equal(await page.getByLabel('Template', { exact: true }).inputValue(), 'debian-live');
  assert.equal(await page.getByLabel('Image type').inputValue(), 'livecd');
});

test('YAML has line numbers marked by the render, and a kickstarter folder’s scripts and partitions are used', async () => {
  await openSubmit('Kickstarter YAML');
  const gutter = (id: string) => page.locator(`.ks-editor:has(#${id}) .ks-gutter`);
  await page
    .getByLabel('configurations.yaml')
    .fill('Configurations:\n  - FileName: scripted\n    PostScripts: [setup]\n');
  assert.deepEqual(await gutter('kickstarter-configurations').locator('div').allTextContents(), [
    '1',
    '2',
    '3',
    '4',
  ]);
  await page.getByRole('button', { name: 'Render the kickstart' }).click();
  await page.locator('#kickstarter-errors').getByText('needs scripts/setup.post').waitFor();
  assert.deepEqual(await gutter('kickstarter-configurations').locator('.bad').allTextContents(), ['3']);
  assert.deepEqual(await gutter('kickstarter-repos').locator('div').allTextContents(), ['1']);

  // The folder as kickstarter keeps it; a file outside scripts/ and partitions/ is not sent.
  const folder = join(folders, 'device-configs');
  mkdirSync(join(folder, 'scripts'), { recursive: true });
  mkdirSync(join(folder, 'partitions'));
  mkdirSync(join(folder, 'notes'));
  writeFileSync(
    join(folder, 'configurations.yaml'),
    'Default:\n  Repos: [main]\nConfigurations:\n  - FileName: device\n    Part: n900\n    PostScripts: [setup]\n',
  );
  writeFileSync(
    join(folder, 'repos.yaml'),
    'Repositories:\n  - Name: main\n    Url: http://repo.example.org/main/\n',
  );
  writeFileSync(join(folder, 'scripts', 'setup.post'), "echo 'set up from the folder'\n");
  writeFileSync(join(folder, 'partitions', 'n900'), 'part / --size=2000 --fstype=ext4\n');
  writeFileSync(join(folder, 'notes', 'secret.txt'), 'not for the server\n');
  const renders: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/kickstarts/render')) renders.push(request.postData() ?? '');
  });
  await page.getByLabel('A kickstarter folder (optional)').setInputFiles(folder);
  await page.getByText('Sent along: partitions/n900, scripts/setup.post.').waitFor();
  assert.match(await page.getByLabel('configurations.yaml').inputValue(), /FileName: device/);
  assert.match(await page.getByLabel('repos.yaml', { exact: false }).inputValue(), /Name: main/);
  await page.getByRole('button', { name: 'Render the kickstart' }).click();
  const editor = page.getByLabel('Kickstart text');
  await editor.waitFor();
  const text = await editor.inputValue();
  assert.match(text, /^part \/ --size=2000 --fstype=ext4$/m);
  assert.match(text, /^echo 'set up from the folder'$/m);
  assert.doesNotMatch(renders.join('\n'), /not for the server/);
  await screenshot(page, 'submit-kickstarter-folder');
});

test('the dark theme follows the system setting', async () => {
  const { context, page: dark } = await newSession(browser);
  try {
    await dark.emulateMedia({ colorScheme: 'dark' });
    await logIn(dark, web.pages, DEFAULT_ADMIN);
    await dark.getByRole('link', { name: 'Submit' }).click();
    await dark.locator('aside.submit-help').waitFor();
    const lightness = (selector: string, property: 'color' | 'backgroundColor') =>
      dark
        .locator(selector)
        .first()
        .evaluate((element, property) => {
          const [r = 0, g = 0, b = 0] = (getComputedStyle(element)[property].match(/\d+/g) ?? []).map(Number);
          return (r + g + b) / 3;
        }, property);
    assert.ok((await lightness('html', 'backgroundColor')) < 60, 'a dark page');
    assert.ok((await lightness('fieldset', 'backgroundColor')) < 60, 'dark panels');
    assert.ok((await lightness('select', 'backgroundColor')) < 60, 'dark fields');
    assert.ok((await lightness('body', 'color')) > 180, 'light text');
    await screenshot(dark, 'dark-submit');
    const job = (
      await apiFromPage(dark, 'POST', 'jobs', { template: 'debian-live', type: 'livecd', arch: 'x86_64' })
    ).body as Job;
    await dark.getByRole('link', { name: 'Queue' }).first().click();
    await dark.locator(`tr[data-job-id="${job.id}"]`).waitFor();
    await screenshot(dark, 'dark-queue');
    await dark.goto(`${web.pages}job/${job.id}`);
    await dark.getByText('Waiting for a build slot', { exact: false }).waitFor();
    await screenshot(dark, 'dark-job');
    await dark.goto(`${web.pages}stats/`);
    await dark.locator('figure.chart').first().waitFor();
    await screenshot(dark, 'dark-stats');
    await dark.emulateMedia({ colorScheme: 'light' });
    assert.ok((await lightness('html', 'backgroundColor')) > 200, 'and light again when the system is');
  } finally {
    await context.close();
  }
});

test('a wrong password is said once, without a link to the page it is on', async () => {
  const { context, page: stranger } = await newSession(browser);
  try {
    await stranger.goto(web.pages);
    await stranger.getByLabel('User name').fill('imager');
    await stranger.getByLabel('Password').fill('wrong');
    await stranger.getByRole('button', { name: 'Log in' }).click();
    const notice = stranger.getByRole('alert');
    await notice.waitFor();
    assert.equal(await notice.getByRole('link').count(), 0);
    assert.equal(await stranger.getByRole('link', { name: 'Log in again' }).count(), 0);
  } finally {
    await context.close();
  }
});

test('a waiting job: tab titled by its name, its id on one line, its log saying it waits', async () => {
  const submitted = await apiFromPage(page, 'POST', 'jobs', {
    template: 'debian-minimal',
    type: 'raw',
    arch: 'x86_64',
    name: 'tab-title',
  });
  const job = submitted.body as Job;
  await page.goto(`${web.pages}job/${job.id}`);
  await page.getByRole('heading', { name: /tab-title/ }).waitFor();
  assert.equal(await page.title(), 'tab-title (job) · IMG');
  await page
    .getByText('Waiting for a build slot; the log follows here live once the build starts.')
    .waitFor();
  assert.equal(await page.getByText('Following the build live…').count(), 0);

  // On a phone, the id is the widest thing of its row; it stays one line all the same.
  await page.setViewportSize({ width: 360, height: 800 });
  try {
    for (const where of [`${web.pages}job/${job.id}`, `${web.pages}queue/`]) {
      await page.goto(where);
      const id = page.locator('.job-id', { hasText: job.id }).first();
      const { height, lineHeight } = await id.evaluate((element) => ({
        height: element.getBoundingClientRect().height,
        lineHeight: Number.parseFloat(getComputedStyle(element).lineHeight),
      }));
      assert.ok(height < lineHeight * 1.5, `${where}: the id is one line (${height}px)`);
    }
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
});

test('every password field of the pages is inside a form', async () => {
  for (const section of ['users', 'tokens', 'password']) {
    await page.goto(`${web.pages}admin/${section}`);
    await page.locator('input[type=password]').first().waitFor();
    const outside = await page
      .locator('input[type=password]')
      .evaluateAll((fields) =>
        fields.filter((field) => !field.closest('form')).map((field) => field.outerHTML),
      );
    assert.deepEqual(outside, [], section);
  }
});

// The submit page's help before anything is queued, in Debian's chromium against a real server with no build
// slots: the kickstart checked as it is typed, a template's tokens and text, and kickstarter YAML rendered into
// the editor and submitted. The server judges submits as for mic: the template with tokens these tests submit
// (mer-device) is a mic template, which the native builder refuses at submit (its /home partition).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Job, JobPage } from '../../src/client/api-client.ts';
import {
  apiFromPage,
  closeWebTests,
  DEFAULT_ADMIN,
  openWebTests,
  screenshot,
  type WebServer,
} from './harness.ts';

let web: WebServer;
let browser: Browser;
let page: Page;

before(async () => {
  ({ web, browser, page } = await openWebTests({ buildSlots: 0, builder: 'mic', user: DEFAULT_ADMIN }));
});

after(() => closeWebTests(browser, web));

const queuedJobs = async () => ((await apiFromPage(page, 'GET', 'jobs')).body as JobPage).jobs;

const openedJob = async () => {
  await page.waitForURL(/\/img\/job\//);
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
  return (await apiFromPage(page, 'GET', `jobs/${id}`)).body as Job;
};

async function openSubmit(source: string) {
  await page.getByRole('link', { name: 'Submit', exact: true }).click();
  await page.getByRole('radio', { name: source }).check();
}

test('the kickstart is checked as it is typed: errors and warnings by line, gone once fixed', async () => {
  await openSubmit('Paste a kickstart');
  const lintCalls: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/api/v1/kickstarts/lint')) lintCalls.push(request.postData() ?? '');
  });
  const editor = page.getByLabel('Kickstart text');
  await editor.focus();
  await page.keyboard.type('lang C\nlang en_US.UTF-8\npart / --size=lots\n', { delay: 15 });

  const errors = page.locator('#kickstart-errors');
  await errors.getByText('line 3').waitFor();
  assert.match((await errors.textContent()) ?? '', /a submit would be refused/);
  assert.match((await page.locator('#kickstart-warnings').textContent()) ?? '', /line 2: lang: given again/);
  assert.deepEqual(await page.locator('.ks-gutter .bad').allTextContents(), ['3']);
  assert.deepEqual(await page.locator('.ks-gutter .warn').allTextContents(), ['2']);
  assert.ok(lintCalls.length <= 3, `typing pauses are checked, not keystrokes (${lintCalls.length} calls)`);
  await screenshot(page, 'submit-lint-while-typing');

  await editor.fill('lang en_US.UTF-8\npart / --size=1024\n');
  await errors.waitFor({ state: 'detached' });
  await page.locator('#kickstart-warnings').waitFor({ state: 'detached' });
  assert.equal(await page.locator('.ks-gutter .bad').count(), 0);
  assert.deepEqual(await queuedJobs(), [], 'checking queues nothing');
});

test('a template offers fields for its tokens, shows its text, and its tokens go with the job', async () => {
  await openSubmit('A ready template');
  await page.getByLabel('Template', { exact: true }).selectOption('mer-device');
  await page.getByLabel('@NAME@').waitFor();
  assert.equal(await page.getByLabel('@RELEASE@').getAttribute('placeholder'), 'default: latest');
  assert.equal(await page.getByLabel('@ARCH@').count(), 0, 'the build fills ARCH itself');
  await page.getByText("The template's text").click();
  await page.getByText(/^repo --name=mer-core /m).waitFor();
  await page.getByLabel('@NAME@').fill('my-device');
  await screenshot(page, 'submit-template-tokens');
  await page.getByRole('button', { name: 'Submit' }).click();
  const job = await openedJob();
  assert.equal(job.name, 'mer-device');
  assert.equal(job.tokenmap, 'NAME:my-device');
});

test('kickstarter YAML is rendered into the editor, an image is picked, and it is submitted', async () => {
  await openSubmit('Kickstarter YAML');
  const configurations = page.getByLabel('configurations.yaml');
  await configurations.fill('Configurations:\n  - FileName: scripted\n    PostScripts: [setup]\n');
  await page.getByRole('button', { name: 'Render the kickstart' }).click();
  await page
    .locator('#kickstarter-errors')
    .getByText('configurations.yaml:3: [scripted] PostScripts: needs scripts/setup.post')
    .waitFor();
  assert.equal(await page.getByLabel('Kickstart text').count(), 0, 'nothing rendered, nothing to submit');

  await configurations.fill(
    [
      'Default:',
      '  Language: en_US.UTF-8',
      '  Repos: [main]',
      'Configurations:',
      '  - Name: Small',
      '    FileName: small',
      '  - Name: Big',
      '    FileName: big',
      '    Groups: [Base]',
    ].join('\n'),
  );
  await page
    .getByLabel('repos.yaml', { exact: false })
    .fill('Repositories:\n  - Name: main\n    Url: http://repo.example.org/main/\n');
  await page.getByRole('button', { name: 'Render the kickstart' }).click();
  await page.locator('#kickstarter-errors').waitFor({ state: 'detached' });
  const editor = page.getByLabel('Kickstart text');
  await editor.waitFor();
  assert.match(await editor.inputValue(), /^# DisplayName: Small$/m);
  await page.getByLabel('Image to submit').selectOption({ label: 'Big (big.ks)' });
  assert.match(await editor.inputValue(), /^@Base$/m);
  await screenshot(page, 'submit-kickstarter');
  await page.getByRole('button', { name: 'Submit' }).click();
  const job = await openedJob();
  assert.equal(job.name, 'big', 'named after the rendered file');
  assert.match(job.kickstart, /^repo --name=main --baseurl=http:\/\/repo\.example\.org\/main\/$/m);
});

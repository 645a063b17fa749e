/**
 * The queue page in Debian's chromium, as a newcomer opens it: the first load (fresh browser, no cache, logged
 * in) with 10,000 jobs in the database against the same load of the empty queue, in the same run on the same
 * server; and the time from a job's change to its row updating on an open queue page, for a change made by this
 * server (the event stream) and by another process (the database's change feed), against a round trip from the
 * page to the server's no-op route. Medians of several rounds; the pages must be built (scripts/build-web.sh).
 * A change reaches the page through the change feed's poll of the database (every 500 ms), the stream's 100 ms
 * batch and the page's 250 ms batch, then the list is asked for again: about 0.85 s is those waits, by design.
 */
import { openDatabase } from '../src/service/db/index.ts';
import { createJobService, type JobService } from '../src/service/jobs/index.ts';
import { launchBrowser, logIn } from '../test/web/harness.ts';
import { seedJobs } from './lib/seed.ts';
import { NOOP_PATH, withBenchServer } from './lib/server.ts';

const JOBS = 10_000;
const WAITING = 30;
const LOADS = 5;
const CHANGES = 10;
const VIEWPORT = { width: 1280, height: 900 };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

console.log(
  `the queue page: first load with ${JOBS.toLocaleString('en')} jobs, and a change reaching its row`,
);
await withBenchServer(async ({ server, config }) => {
  const pages = server.pagesUrl;
  const browser = await launchBrowser();
  try {
    const login = await browser.newContext();
    const loginPage = await login.newPage();
    await logIn(loginPage, pages, { username: 'imager', password: 'imager' });
    const storageState = await login.storageState();
    await login.close();

    /** A fresh browser opening the queue: until its first row (or the empty queue's prompt) is on screen. */
    const firstLoad = async () => {
      const context = await browser.newContext({ storageState, viewport: VIEWPORT });
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(`${pages}queue/`);
      await page.locator('tbody tr, .first-build').first().waitFor();
      const ms = performance.now() - started;
      const { bytes, requests } = await page.evaluate(() => {
        const entries = [
          ...performance.getEntriesByType('navigation'),
          ...performance.getEntriesByType('resource'),
        ] as PerformanceResourceTiming[];
        return {
          bytes: entries.reduce((sum, entry) => sum + entry.transferSize, 0),
          requests: entries.length,
        };
      });
      await context.close();
      return { ms, bytes, requests };
    };
    const loads = async () => {
      await firstLoad();
      const rounds = [];
      for (let round = 0; round < LOADS; round++) rounds.push(await firstLoad());
      return {
        ms: median(rounds.map((round) => round.ms)),
        bytes: median(rounds.map((round) => round.bytes)),
        requests: median(rounds.map((round) => round.requests)),
      };
    };
    const empty = await loads();
    await seedJobs(server.service.database.db, { jobs: JOBS, waiting: WAITING, owners: 50 });
    const full = await loads();
    const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
    console.log(
      `first load, empty queue:  ${empty.ms.toFixed(0)} ms, ${kib(empty.bytes)} in ${empty.requests} requests`,
    );
    console.log(
      `first load, ${JOBS.toLocaleString('en')} jobs: ${full.ms.toFixed(0)} ms, ${kib(full.bytes)} in ${full.requests} requests`,
    );
    console.log(`ratio first load ${JOBS} jobs / empty: ${(full.ms / empty.ms).toFixed(2)} (time)`);

    // The open page: the newest jobs, which wait, are its first rows.
    const context = await browser.newContext({ storageState, viewport: VIEWPORT });
    const page = await context.newPage();
    await page.goto(`${pages}queue/`);
    await page.locator('tbody tr').first().waitFor();
    const waiting = await page
      .locator('tbody tr[data-job-id]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-job-id') ?? ''));
    // The change stream connects after the first list: a change before that would be read by the reload.
    await page.waitForTimeout(1000);
    const roundTrip = async (path: string) => {
      const started = performance.now();
      await page.evaluate((url) => fetch(url).then((response) => response.text()), path);
      return performance.now() - started;
    };
    const toRow = async (jobs: JobService, id: string) => {
      const started = performance.now();
      await jobs.claimById(id, 'bench-worker');
      await page.locator(`tr[data-job-id="${id}"] .status`, { hasText: 'BUILDING' }).waitFor();
      return performance.now() - started;
    };
    const trips: number[] = [];
    const lists: number[] = [];
    for (let round = 0; round < CHANGES; round++) {
      trips.push(await roundTrip(NOOP_PATH));
      // What the page asks for again on a change: its list of 30.
      lists.push(await roundTrip('/api/v1/jobs?limit=30'));
    }
    const here: number[] = [];
    for (const id of waiting.slice(0, CHANGES)) here.push(await toRow(server.service.jobs, id));
    const elsewhere = await openDatabase({ url: '', dataDir: config.db.data_dir });
    const there: number[] = [];
    try {
      const otherJobs = createJobService(elsewhere);
      for (const id of waiting.slice(CHANGES, 2 * CHANGES)) there.push(await toRow(otherJobs, id));
    } finally {
      await elsewhere.close();
    }
    await context.close();
    const trip = median(trips);
    console.log(
      `page → server no-op round trip: ${trip.toFixed(1)} ms; the list of 30 again: ${median(lists).toFixed(1)} ms`,
    );
    console.log(`change by this server → row updated: ${median(here).toFixed(0)} ms (median of ${CHANGES})`);
    console.log(
      `change by another process → row updated: ${median(there).toFixed(0)} ms (median of ${CHANGES})`,
    );
    console.log(`ratio change→row (this server) / round trip: ${(median(here) / trip).toFixed(1)}`);
    console.log(`ratio change→row (other process) / round trip: ${(median(there) / trip).toFixed(1)}`);
  } finally {
    await browser.close();
  }
});

// The dashboard in a real headless Chromium (the system's /usr/bin/chromium through playwright-core;
// never a downloaded browser) against the real server on both backends: the list updates live, the
// detail's cancel button and timeline follow the job over the event stream, the fleet banner
// pauses and force-resumes through its in-page confirmation, a token prompt works and survives a
// reload, and a phone-size screen needs no horizontal scrolling. Screenshots go to
// test-output/screenshots/ for a person to look at.
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backendsForSuite } from '../helpers/backends.js';
import { useRest, type RestHarness } from '../http/rest-harness.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));
const CI = process.env.CI === 'true';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !CI) {
  console.warn(
    `\n*** SKIPPING the dashboard browser tests: no Chromium at ${CHROMIUM}. Install it with: sudo apt-get install -y chromium ***\n`,
  );
}
/** The page's globals the tests read in page.evaluate (this program is compiled without DOM types). */
interface InPage {
  pwned?: number;
  innerWidth: number;
  document: { documentElement: { scrollWidth: number } };
  sessionStorage: { setItem(key: string, value: string): void };
}
/** How long a live change may take to show: polls run every 2 s, the stream is pushed. */
const SHOWS_WITHIN = { timeout: 10_000 };
const TEST_TIMEOUT = 60_000;

let browser: Browser;
beforeAll(async () => {
  if (!haveChromium) {
    throw new Error(
      `No Chromium at ${CHROMIUM} (CI=true): install it with apt-get install -y chromium (.ci/run does).`,
    );
  }
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!haveChromium && !CI).each(backendsForSuite())('dashboard in Chromium ($name)', (backend) => {
  let h: RestHarness;
  useRest(backend, (harness) => (h = harness));
  let context: BrowserContext | undefined;
  /** Errors the page reported (a CSP violation, a script error): none are expected. */
  let pageErrors: string[] = [];

  async function open(
    opts: { viewport?: { width: number; height: number }; path?: string; before?: (page: Page) => void } = {},
  ): Promise<Page> {
    context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 } });
    const page = await context.newPage();
    opts.before?.(page);
    page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      // A 401 from /api is how the page learns that a token is needed: not an error here.
      if (msg.type() === 'error' && !/status of 401/.test(msg.text()))
        pageErrors.push(`console: ${msg.text()}`);
    });
    await page.goto(new URL(opts.path ?? '/', h.base).href);
    return page;
  }
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: `${SHOTS}${name}-${backend.name}.png`, fullPage: true });

  afterEach(async () => {
    await context?.close();
    context = undefined;
    const errors = pageErrors;
    pageErrors = [];
    expect(errors).toEqual([]);
  });

  async function enqueueAndClaim(type: string, payload: unknown) {
    const enq = await h.call('POST', '/api/queue/jobs', { type, payload });
    expect(enq.status).toBe(201);
    const claim = await h.call('POST', '/api/queue/jobs/claim', {
      workerId: 'browser-test-worker',
      types: [type],
    });
    expect(claim.body.job?.id).toBe(enq.body.job.id);
    return { id: enq.body.job.id as string, leaseToken: claim.body.lease.token as string };
  }

  it(
    'shows a new job live, opens it, and follows cancel and its acknowledgement live',
    { timeout: TEST_TIMEOUT },
    async () => {
      const page = await open();
      // User data that would run if it were ever written as markup.
      const payload = { note: '<img src=x id=injected onerror=window.pwned=1>', n: 1 };
      const enq = await h.call('POST', '/api/queue/jobs', { type: 'dash.demo', payload });
      const id = enq.body.job.id as string;
      const row = page.locator(`li[data-job-id="${id}"]`);
      await row.waitFor(SHOWS_WITHIN);
      await expect.poll(() => row.getAttribute('data-status'), SHOWS_WITHIN).toBe('queued');
      await shot(page, 'list');

      const claim = await h.call('POST', '/api/queue/jobs/claim', { workerId: 'browser-test-worker' });
      expect(claim.body.job.id).toBe(id);
      await expect.poll(() => row.getAttribute('data-status'), SHOWS_WITHIN).toBe('running');

      await row.locator('a').click();
      const status = page.getByTestId('detail-status');
      await expect.poll(() => status.textContent(), SHOWS_WITHIN).toBe('running');
      expect(await page.locator('#d-payload').textContent()).toContain(payload.note);
      expect(await page.locator('#injected').count()).toBe(0);
      const timeline = page.getByTestId('timeline');
      await timeline.locator('li[data-kind="claimed"]').waitFor(SHOWS_WITHIN);

      const cancel = page.locator('#d-cancel');
      expect(await cancel.textContent()).toBe('Cancel job');
      await cancel.click();
      await expect.poll(() => cancel.textContent(), SHOWS_WITHIN).toBe('Cancellation requested');
      expect(await cancel.isDisabled()).toBe(true);
      await timeline.locator('li[data-kind="cancel_requested"]').waitFor(SHOWS_WITHIN);
      await shot(page, 'detail-after-cancel');

      // Opened afresh on a job whose cancel is pending, the button says so from the start.
      const second = await context!.newPage();
      await second.goto(new URL(`/#/jobs/${id}`, h.base).href);
      const secondCancel = second.locator('#d-cancel');
      await expect.poll(() => secondCancel.textContent(), SHOWS_WITHIN).toBe('Cancellation requested');
      expect(await secondCancel.isDisabled()).toBe(true);
      await second.close();

      const ack = await h.call('POST', `/api/queue/jobs/${id}/cancel/ack`, {
        leaseToken: claim.body.lease.token,
      });
      expect(ack.status).toBe(200);
      await expect.poll(() => status.textContent(), SHOWS_WITHIN).toBe('cancelled');
      await timeline.locator('li[data-kind="cancelled"]').waitFor(SHOWS_WITHIN);
      await expect.poll(() => cancel.isHidden(), SHOWS_WITHIN).toBe(true);
      await expect.poll(() => row.getAttribute('data-status'), SHOWS_WITHIN).toBe('cancelled');
      expect(await page.evaluate(() => (globalThis as unknown as InPage).pwned)).toBeUndefined();
    },
  );

  it(
    'picks the timeline up after a dropped connection with Last-Event-ID, missing nothing',
    { timeout: TEST_TIMEOUT },
    async () => {
      const enq = await h.call('POST', '/api/queue/jobs', { type: 'dash.drop', payload: {} });
      const id = enq.body.job.id as string;
      /** The Last-Event-ID of every stream request the page made (undefined on the first). */
      const resumedFrom: (string | undefined)[] = [];
      const page = await open({
        path: `/#/jobs/${id}`,
        before: (p) =>
          p.on('request', (r) => {
            if (r.url().includes('/events/stream')) resumedFrom.push(r.headers()['last-event-id']);
          }),
      });
      const timeline = page.getByTestId('timeline');
      const enqueued = timeline.locator('li[data-kind="enqueued"]');
      await enqueued.waitFor(SHOWS_WITHIN);
      const lastSeen = await enqueued.getAttribute('data-event-id');
      expect(resumedFrom).toEqual([undefined]);

      h.dropConnections();
      await expect.poll(() => resumedFrom.length, SHOWS_WITHIN).toBeGreaterThan(1);
      expect(resumedFrom[1]).toBe(lastSeen);
      await h.call('POST', '/api/queue/jobs/claim', { workerId: 'browser-test-worker' });
      await timeline.locator('li[data-kind="claimed"]').waitFor(SHOWS_WITHIN);
      expect(
        await timeline.locator('li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-kind'))),
      ).toEqual(['enqueued', 'claimed']);
      // The cut shows in the console as failed requests, and the page's notice says so: expected here.
      pageErrors = pageErrors.filter((e) => !/net::ERR_|Failed to load resource/.test(e));
    },
  );

  it(
    'pauses in quiesce from the banner, then resumes through the confirmation with force',
    { timeout: TEST_TIMEOUT },
    async () => {
      await enqueueAndClaim('dash.long', { step: 1 });
      const page = await open();
      const state = page.getByTestId('fleet-state');
      await expect.poll(() => state.textContent(), SHOWS_WITHIN).toBe('Workers running');

      await page.locator('#pause-mode').selectOption('quiesce');
      await page.locator('#pause-reason').fill('deploy in progress');
      await page.getByRole('button', { name: 'Pause workers' }).click();
      await expect.poll(() => state.textContent(), SHOWS_WITHIN).toBe('Workers paused');
      expect(await page.locator('#fleet-mode').textContent()).toBe('quiesce');
      expect(await page.locator('#fleet-reason').textContent()).toBe('deploy in progress');
      expect(await page.locator('#m-running').textContent()).toBe('1');
      expect(await page.locator('#m-drained').textContent()).toBe('no');
      const status = await h.call('GET', '/api/system/worker-pause');
      expect(status.body.system).toMatchObject({
        workersPaused: true,
        mode: 'quiesce',
        reason: 'deploy in progress',
      });
      await shot(page, 'paused-banner');

      await page.locator('#resume-reason').fill('deploy done');
      await page.getByRole('button', { name: 'Resume workers' }).click();
      const dialog = page.locator('#confirm-dialog');
      await dialog.waitFor({ state: 'visible', ...SHOWS_WITHIN });
      expect(await page.locator('#confirm-text').textContent()).toContain('still running');
      await shot(page, 'confirmation');
      await page.getByRole('button', { name: 'Resume anyway' }).click();
      await expect.poll(() => state.textContent(), SHOWS_WITHIN).toBe('Workers running');
      const after = await h.call('GET', '/api/system/worker-pause?audit=1');
      expect(after.body.system.workersPaused).toBe(false);
      expect(after.body.audit[0]).toMatchObject({ action: 'resume', reason: 'deploy done' });
    },
  );

  it(
    'asks for a token once tokens are on, keeps it over a reload, and says when a role may not pause',
    { timeout: TEST_TIMEOUT },
    async () => {
      const operator = await h.q.service.tokens.create({ name: 'dash-operator', role: 'operator' });
      const producer = await h.q.service.tokens.create({ name: 'dash-producer', role: 'producer' });
      const { job } = await h.q.service.enqueue({ type: 'dash.secret', payload: {} });
      const page = await open();
      const dialog = page.locator('#token-dialog');
      await dialog.waitFor({ state: 'visible', ...SHOWS_WITHIN });
      await page.locator('#token-input').fill(operator.token);
      await page.getByRole('button', { name: 'Use token' }).click();
      await page.locator(`li[data-job-id="${job.id}"]`).waitFor(SHOWS_WITHIN);
      expect(await dialog.isVisible()).toBe(false);

      await page.reload();
      await page.locator(`li[data-job-id="${job.id}"]`).waitFor(SHOWS_WITHIN);
      await expect
        .poll(() => page.getByTestId('fleet-state').textContent(), SHOWS_WITHIN)
        .toBe('Workers running');
      expect(await dialog.isVisible()).toBe(false);

      // A producer token reads, but pausing needs operator: the page says so instead of failing silently.
      await page.evaluate(
        (t) => (globalThis as unknown as InPage).sessionStorage.setItem('agent-queue.token', t),
        producer.token,
      );
      await page.locator('#pause-reason').fill('not mine to pause');
      await page.getByRole('button', { name: 'Pause workers' }).click();
      const notice = page.locator('#notice');
      await expect.poll(() => notice.textContent(), SHOWS_WITHIN).toContain('Not allowed');
      expect(await notice.textContent()).toContain('operator');
      // The refused pause surfaces as a console error of the failed request: expected here.
      pageErrors = pageErrors.filter((e) => !/status of 403/.test(e));
    },
  );

  it(
    'fits a phone screen (390x844): list and banner visible without horizontal scrolling',
    { timeout: TEST_TIMEOUT },
    async () => {
      const { id } = await enqueueAndClaim('dash.phone-check-with-a-rather-long-type-name', {
        text: 'x'.repeat(400),
      });
      await h.call('POST', '/api/queue/jobs', { type: 'dash.phone', payload: {} });
      const page = await open({ viewport: { width: 390, height: 844 } });
      await page.locator(`li[data-job-id="${id}"]`).waitFor(SHOWS_WITHIN);
      const noHorizontalScroll = () =>
        page.evaluate(() => {
          const w = globalThis as unknown as InPage;
          return w.document.documentElement.scrollWidth <= w.innerWidth;
        });
      expect(await noHorizontalScroll()).toBe(true);
      for (const selector of ['#fleet', '#jobs', `li[data-job-id="${id}"]`, '#pause-form button']) {
        const box = await page.locator(selector).boundingBox();
        expect(box, selector).not.toBeNull();
        expect(box!.x, selector).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width, selector).toBeLessThanOrEqual(390);
      }
      await shot(page, 'phone');
      // The detail, long payload and all, fits too.
      await page.locator(`li[data-job-id="${id}"] a`).click();
      await page.locator('#d-payload').waitFor(SHOWS_WITHIN);
      await expect.poll(() => page.getByTestId('detail-status').textContent(), SHOWS_WITHIN).toBe('running');
      expect(await noHorizontalScroll()).toBe(true);
      await shot(page, 'phone-detail');
    },
  );
});

// The operator's console in headless Chromium against a hub composed as `npm start` composes it
// (embedded temporal-lite, jobs worker, gateway, REST API) with simulated devices: sign-in, a
// method job scheduled from the form and watched to 100% over server-sent events, its failed
// devices, the query preview and its errors, cancelling, a read-only policy refused, and axe-core
// on every page.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CONSOLE_CSP } from '../../src/console/static.js';
import type { Hub } from '../../src/hub.js';
import { hubRequest } from '../helpers/hub-http.js';
import { startCliHub, type CliHub, type RunningCli } from '../cli/helpers/cli-hub.js';
import { launchChromium } from '../helpers/chromium.js';
import { assertAccessible, consoleSkip, signIn, watchPage } from './helpers.js';

const SCREENSHOT = process.env.UPDATE_SCREENSHOTS ? new URL('../../docs/console.png', import.meta.url) : undefined;

describe('the operator console', { skip: consoleSkip }, () => {
  let hub: CliHub;
  let fleet: RunningCli;
  let browser: Browser;
  let page: Page;
  let url: string;
  let apiHub: Hub;
  let watched: { problems: string[] };
  const keys: string[] = [];
  /** The `ids` of every live-update stream the page opened. */
  const eventStreams: string[] = [];

  before(async () => {
    hub = await startCliHub();
    apiHub = { ...hub.node.hub, api: hub.node.hub.api! };
    url = `https://localhost:${apiHub.api.httpsPort}/ui/`;
    keys.push(...hub.node.hub.policies.flatMap((policy) => [policy.primaryKey, policy.secondaryKey]));
    // 45 devices answer after a moment (so the job is seen running); 5 are registered and never connect (they fail).
    for (let i = 1; i <= 5; i++) assert.equal((await hub.cli(['devices', 'create', `con-off-${i}`])).code, 0);
    fleet = await hub.background(['simulate', '--devices', '45', '--prefix', 'con-ok-', '--delay-ms', '1500'], /45 devices connected/);
    browser = await launchChromium();
    // The hub's generated certificate: its CA is not the browser's.
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, ignoreHTTPSErrors: true });
    page.setDefaultTimeout(30_000);
    watched = watchPage(page, () => keys);
    page.on('request', (request) => {
      if (request.url().includes('/console/job-events?')) eventStreams.push(new URL(request.url()).searchParams.get('ids') ?? '');
    });
  });
  after(async () => {
    await browser?.close();
    await fleet?.stop();
    await hub?.dispose();
  });

  it('is served at /ui/ with a CSP that allows no inline script and no framing', async () => {
    const response = await hubRequest(apiHub, { method: 'GET', path: '/ui/', apiVersion: null, auth: null });
    assert.equal(response.status, 200);
    const csp = String(response.headers['content-security-policy']);
    assert.equal(csp, CONSOLE_CSP);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(response.headers['x-frame-options'], 'DENY');
    assert.doesNotMatch(response.text, /<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('refuses wrong keys, saying why, and keeps nothing', async () => {
    const owner = hub.node.hub.connectionString();
    const wrongKey = owner.replace(/SharedAccessKey=[^;]+/, `SharedAccessKey=${Buffer.alloc(32, 7).toString('base64')}`);
    await signIn(page, url, { connectionString: wrongKey });
    await page.getByRole('alert').filter({ hasText: "the SAS token signature does not match policy 'iothubowner'" }).waitFor();
    await signIn(page, url, { keyName: 'nosuchpolicy', key: Buffer.alloc(32, 1).toString('base64') });
    await page.getByRole('alert').filter({ hasText: "unknown shared access policy 'nosuchpolicy'" }).waitFor();
    assert.equal(await page.evaluate<number>('sessionStorage.length + localStorage.length'), 0);
    await assertAccessible(page, 'sign-in page');
  });

  it('signs in with a connection string and lands on the jobs', async () => {
    await signIn(page, url, { connectionString: hub.node.hub.connectionString() });
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    assert.equal(await page.evaluate<number>('localStorage.length'), 0);
    await assertAccessible(page, 'jobs page');
  });

  it('previews the devices a condition selects, and shows the query language’s message for a wrong one', async () => {
    await page.getByRole('link', { name: 'New job' }).first().click();
    const condition = page.getByLabel('Devices (query condition, or * for all)');
    await condition.fill("STARTSWITH(deviceId, 'con-')");
    await page
      .getByTestId('preview-count')
      .filter({ hasText: /^50 devices match: con-o/ })
      .waitFor();
    assert.equal((await page.getByTestId('preview-count').innerText()).split(',').length, 11); // ten ids and the ellipsis
    await assertAccessible(page, 'new job page');

    const wrong = "deviceId = 'a' AND";
    const expected = await serverQueryError(`SELECT COUNT() AS numberOfDevices FROM devices WHERE ${wrong}`);
    await condition.fill(wrong);
    await page.getByTestId('preview-error').filter({ hasText: expected }).waitFor();
    // Scheduling with it: the hub's 400 appears under the field.
    await page.getByLabel('Method name').fill('reboot');
    await page.getByRole('button', { name: 'Schedule job' }).click();
    const fieldError = page.locator('#queryCondition-error');
    await fieldError.waitFor();
    assert.match(await fieldError.innerText(), /position \d+/);
    assert.equal(await condition.getAttribute('aria-invalid'), 'true');
  });

  it('schedules a method job over 50 devices from the form and watches it reach 100% without a reload', async () => {
    const jobId = `console-${Date.now()}`;
    await page.getByLabel('Job id').fill(jobId);
    await page.getByLabel('Devices (query condition, or * for all)').fill("STARTSWITH(deviceId, 'con-')");
    await page.getByLabel('Payload (JSON)').fill('{"delay": 1}');
    await page.getByLabel('Connect timeout (s)').fill('0');
    await page.evaluate(() => ((globalThis as unknown as { sameDocument: boolean }).sameDocument = true));
    await page.getByRole('button', { name: 'Schedule job' }).click();
    await page.getByRole('heading', { name: `Job ${jobId}` }).waitFor();
    await page.getByText('50 / 50 (100%)').waitFor({ timeout: 60_000 });
    await page.getByRole('status', { name: 'Job status' }).filter({ hasText: 'completed' }).waitFor();
    assert.equal(await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument), true, 'the page was reloaded');
    // One stream carried every update while the job ran.
    assert.deepEqual(
      eventStreams.filter((ids) => ids === jobId),
      [jobId],
    );
    assert.equal(await page.locator('[data-stat="succeededCount"]').innerText(), '45');
    assert.equal(await page.locator('[data-stat="failedCount"]').innerText(), '5');
    assert.match(await page.locator('figcaption').innerText(), /Devices per second: [\d.]+ devices\/s now, peak [1-9][\d.]* devices\/s/);
    await assertAccessible(page, 'job page');

    await page.getByLabel('Device status').selectOption('failed');
    const rows = page.getByRole('table', { name: 'Devices of the job' }).locator('tbody tr');
    await rows.filter({ hasText: 'con-ok-' }).first().waitFor({ state: 'detached' });
    await rows.nth(4).waitFor();
    assert.equal(await rows.count(), 5);
    for (const row of await rows.all()) assert.match(await row.locator('td').first().innerText(), /^con-off-\d$/);
    const first = await rows.first().innerText();
    assert.match(first, /con-off-\d\tfailed\t\tDeviceNotOnline: .+\t1\t/);

    const shot = await page.screenshot({ fullPage: false });
    assert.equal(shot.subarray(1, 4).toString(), 'PNG');
    writeFileSync(SCREENSHOT ?? join(hub.dataDir, 'console.png'), shot);
  });

  it('cancels a scheduled job', async () => {
    const jobId = `console-later-${Date.now()}`;
    await page.getByRole('link', { name: 'New job' }).first().click();
    await page.getByLabel('Job id').fill(jobId);
    await page.getByLabel('Method name').fill('reboot');
    await page.getByLabel('Start time (empty: now)').fill(localDateTime(new Date(Date.now() + 3600_000)));
    await page.getByRole('button', { name: 'Schedule job' }).click();
    await page.getByRole('status', { name: 'Job status' }).filter({ hasText: 'scheduled' }).waitFor();
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await page.getByRole('status', { name: 'Job status' }).filter({ hasText: 'cancelled' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'Job cancelled.' }).waitFor();
    assert.equal(JSON.parse((await hub.cli(['job', 'show', jobId])).stdout).status, 'cancelled');
  });

  it('shows devices, a twin, and invokes a direct method', async () => {
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByLabel('Query').fill("SELECT * FROM devices WHERE deviceId = 'con-ok-0001'");
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByRole('link', { name: 'con-ok-0001' }).waitFor();
    await assertAccessible(page, 'devices page');
    await page.getByRole('link', { name: 'con-ok-0001' }).click();
    await page.getByRole('heading', { name: 'Device con-ok-0001' }).waitFor();
    await page.getByText('Connected', { exact: true }).first().waitFor();
    await page.getByLabel('Method name').fill('ping');
    await page.getByLabel('Payload (JSON)').fill('{"n": 7}');
    await page.getByRole('button', { name: 'Invoke' }).click();
    const result = await page.getByTestId('method-result').innerText({ timeout: 20_000 });
    assert.deepEqual(JSON.parse(result), { deviceId: 'con-ok-0001', method: 'ping', received: { n: 7 } });
    await assertAccessible(page, 'device page');
  });

  it('signed in with a registryRead key, cannot cancel and says why', async () => {
    const jobId = `console-ro-${Date.now()}`;
    const at = new Date(Date.now() + 3600_000).toISOString();
    const scheduled = await hub.cli(['job', 'schedule-method', '--job-id', jobId, '--method', 'reboot', '--query', '*', '--start-time', at]);
    assert.equal(scheduled.code, 0, scheduled.stderr);
    await page.getByRole('button', { name: 'Sign out' }).click();
    const readOnly = hub.node.hub.policies.find((policy) => policy.keyName === 'registryRead')!;
    // By keyboard alone: skip link, the sign-in choice (arrow keys), the fields, Enter.
    await page.goto(url);
    await page.getByLabel('Service connection string').waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown');
    await page.getByLabel('Policy name').waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('registryRead');
    await page.keyboard.press('Tab');
    await page.keyboard.type(readOnly.primaryKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    await page.getByRole('link', { name: jobId }).click();
    await page.getByRole('status', { name: 'Job status' }).filter({ hasText: 'scheduled' }).waitFor();
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await page
      .getByRole('alert')
      .filter({
        hasText:
          "The hub refused to cancel the job: Unauthorized: policy 'registryRead' lacks the RegistryWrite or ServiceConnect permission this operation needs",
      })
      .waitFor();
    assert.equal(JSON.parse((await hub.cli(['job', 'show', jobId])).stdout).status, 'scheduled');
  });

  it('fits a phone’s width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const route of ['#/jobs', '#/new', '#/devices', '#/devices/con-ok-0001']) {
        await page.goto(`${url}${route}`);
        await page.locator('h1').first().waitFor();
        // Not 'networkidle': a page that watches jobs keeps its event stream open for as long as it shows them.
        await page.waitForLoadState('load');
        const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        assert.ok(overflow <= 0, `${route} is ${overflow}px wider than the phone`);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('never sent a key, and the page broke no rule of its CSP', () => {
    assert.deepEqual(watched.problems, []);
  });

  /** The hub's own message for a query, as any client gets it. */
  async function serverQueryError(query: string): Promise<string> {
    const response = await hubRequest(apiHub, { method: 'POST', path: '/devices/query', body: { query }, auth: 'iothubowner' });
    assert.equal(response.status, 400);
    return String(response.body.Message).replace(/^ErrorCode:\w+;/, '');
  }
});

/** `YYYY-MM-DDTHH:mm` in the browser's (this machine's) time zone, as datetime-local inputs take it. */
function localDateTime(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}T${two(at.getHours())}:${two(at.getMinutes())}`;
}
